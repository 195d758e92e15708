package dev.postern.interop;

import dev.postern.Listener;
import dev.postern.ReceivedMessage;
import dev.postern.RecipientReplies;
import dev.postern.SmtpHandler;
import dev.postern.SmtpReply;
import dev.postern.SmtpServer;
import dev.postern.SmtpSession;
import dev.postern.testing.ExternalTool;
import dev.postern.testing.Swaks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An LMTP listener (RFC 2033) against real LMTP clients: swaks ({@code --protocol LMTP}) and Postfix's
 * {@code smtp-source -L}, each recipient getting its own reply after the content.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LmtpInteropTest {

    /** Mailboxes: "full" is over quota (452), "gone" does not exist (550), the others store the message. */
    static final class Mailboxes implements SmtpHandler {
        final List<String> stored = new CopyOnWriteArrayList<>();

        @Override
        public void onLmtpMessage(SmtpSession session, ReceivedMessage message, RecipientReplies replies) throws Exception {
            byte[] content = message.readAllBytes();
            for (int i = 0; i < replies.recipients().size(); i++) {
                String address = replies.recipients().get(i).path().address();
                if (address.startsWith("full@")) {
                    replies.reject(i, SmtpReply.of(452, "4.2.2", "Mailbox full"));
                } else if (address.startsWith("gone@")) {
                    replies.reject(i, SmtpReply.of(550, "5.1.1", "No such mailbox"));
                } else {
                    stored.add(address + " " + content.length);
                }
            }
        }
    }

    private final Mailboxes boxes = new Mailboxes();
    private SmtpServer server;

    @BeforeEach
    void start() throws Exception {
        server = SmtpServer.builder().hostname("mda.test").handler(boxes)
                .configure(c -> c.listen(Listener.of("127.0.0.1", 0).withLmtp(true).withName("lmtp"))).build().start();
    }

    @AfterEach
    void stop() {
        server.stop(Duration.ofSeconds(5));
    }

    @Test
    void swaksGetsAReplyPerRecipient() throws Exception {
        ExternalTool.Result r = Swaks.run(server.port(), "--protocol", "LMTP", "--from", "alice@example.org",
                "--to", "bob@example.org,full@example.org,gone@example.org,carol@example.org", "--body", "hello");
        assertThat(r.output()).contains(" -> LHLO swaks.test", "<-  250-PIPELINING",
                "<-  250 2.0.0 <bob@example.org> Ok: queued as", "<** 452 4.2.2 Mailbox full",
                "<** 550 5.1.1 No such mailbox", "<-  250 2.0.0 <carol@example.org> Ok: queued as");
        assertThat(boxes.stored).hasSize(2).anyMatch(s -> s.startsWith("bob@example.org "))
                .anyMatch(s -> s.startsWith("carol@example.org "));
    }

    @Test
    void swaksSpeakingEhloToAnLmtpListenerIsTurnedAway() throws Exception {
        ExternalTool.Result r = Swaks.run(server.port(), "--from", "alice@example.org", "--to", "bob@example.org");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.output()).contains("500 5.5.1 Error: this is an LMTP server, send LHLO");
        assertThat(boxes.stored).isEmpty();
    }

    @Test
    void postfixSmtpSourceDeliversOverLmtp() throws Exception {
        // -L: LMTP; 10 messages over 2 sessions, each to 3 recipients (smtp-source prefixes a number to the address)
        ExternalTool.Result r = ExternalTool.run(Duration.ofSeconds(30), List.of("/usr/sbin/smtp-source", "-L", "-s", "2",
                "-m", "10", "-r", "3", "-f", "alice@example.org", "-t", "box@example.org", "-M", "source.test",
                "127.0.0.1:" + server.port()));
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(boxes.stored).hasSize(30).allMatch(s -> s.matches("\\d*box@example\\.org \\d+"));
    }
}
