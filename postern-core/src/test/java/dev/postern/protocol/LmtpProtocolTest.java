package dev.postern.protocol;

import dev.postern.Listener;
import dev.postern.ReceivedMessage;
import dev.postern.RecipientReplies;
import dev.postern.SessionEvent;
import dev.postern.SmtpHandler;
import dev.postern.SmtpRejection;
import dev.postern.SmtpReply;
import dev.postern.SmtpSession;
import dev.postern.ServerMetrics.Counter;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static dev.postern.protocol.ProtocolHarness.codes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * LMTP (RFC 2033) on an LMTP listener, sans I/O: LHLO instead of EHLO and HELO, and after the content
 * one reply per accepted recipient in RCPT order, decided by onLmtpMessage (or onMessage by default).
 */
class LmtpProtocolTest {

    private static final Listener LMTP = Listener.of("127.0.0.1", 24).withLmtp(true);

    /** Refuses the recipients whose local part says so: "full" 452 4.2.2, "gone" 550 5.1.1. */
    static final class Mailboxes implements SmtpHandler {
        final List<String> stored = new ArrayList<>();
        final List<SessionEvent> events = new ArrayList<>();

        @Override
        public void onLmtpMessage(SmtpSession session, ReceivedMessage message, RecipientReplies replies) throws Exception {
            String content = new String(message.readAllBytes(), StandardCharsets.UTF_8);
            for (int i = 0; i < replies.recipients().size(); i++) {
                String address = replies.recipients().get(i).path().address();
                if (address.startsWith("full@")) {
                    replies.reject(i, SmtpReply.of(452, "4.2.2", "Mailbox full"));
                } else if (address.startsWith("gone@")) {
                    replies.reject(replies.recipients().get(i), SmtpReply.of(550, "5.1.1", "No such mailbox"));
                } else {
                    stored.add(address + ":" + content.strip());
                }
            }
        }

        @Override
        public void onSessionEvent(SmtpSession session, SessionEvent event) {
            events.add(event);
        }
    }

    private static ProtocolHarness lmtp(SmtpHandler handler) {
        return lmtp(handler, b -> { });
    }

    private static ProtocolHarness lmtp(SmtpHandler handler, Consumer<dev.postern.SmtpServerConfig.Builder> configure) {
        ProtocolHarness h = new ProtocolHarness(handler, configure, null, LMTP);
        h.connect();
        return h;
    }

    private static String transaction(ProtocolHarness h, String... recipients) {
        StringBuilder s = new StringBuilder("MAIL FROM:<alice@example.org>\r\n");
        for (String r : recipients) {
            s.append("RCPT TO:<").append(r).append(">\r\n");
        }
        return h.feed(s + "DATA\r\n" + "Subject: hi\r\n\r\nhello\r\n.\r\n");
    }

    @Test
    void lhloGreetsWithTheExtensionsAndEhloAndHeloAreRefused() {
        ProtocolHarness h = lmtp(new SmtpHandler() { });
        assertThat(h.cmd("EHLO client.test")).startsWith("500 5.5.1").contains("LHLO");
        assertThat(h.cmd("HELO client.test")).startsWith("500 5.5.1");
        assertThat(h.cmd("MAIL FROM:<a@example.org>")).startsWith("503 5.5.1 Error: send LHLO first");
        String lhlo = h.cmd("LHLO client.test");
        assertThat(lhlo).startsWith("250-mx.test").contains("250-PIPELINING", "ENHANCEDSTATUSCODES");
        assertThat(h.session.heloName()).isEqualTo("client.test");
    }

    @Test
    void anSmtpListenerKnowsNoLhlo() {
        ProtocolHarness h = new ProtocolHarness(new SmtpHandler() { });
        h.connect();
        assertThat(h.cmd("LHLO client.test")).startsWith("500 5.5.2");
        assertThat(h.cmd("EHLO client.test")).startsWith("250-mx.test");
    }

    @Test
    void afterTheContentEachRecipientGetsItsOwnReplyInRcptOrder() {
        Mailboxes boxes = new Mailboxes();
        ProtocolHarness h = lmtp(boxes);
        h.cmd("LHLO client.test");
        String replies = transaction(h, "bob@example.org", "full@example.org", "gone@example.org", "carol@example.org");
        // MAIL, 4 x RCPT, 354, then one reply per recipient
        assertThat(codes(replies)).containsExactly(250, 250, 250, 250, 250, 354, 250, 452, 550, 250);
        String[] lines = replies.split("\r\n");
        assertThat(lines[6]).startsWith("250 2.0.0 <bob@example.org> Ok: queued as TEST1.1");
        assertThat(lines[7]).isEqualTo("452 4.2.2 Mailbox full");
        assertThat(lines[8]).isEqualTo("550 5.1.1 No such mailbox");
        assertThat(lines[9]).startsWith("250 2.0.0 <carol@example.org>");
        assertThat(boxes.stored).containsExactly("bob@example.org:Subject: hi\r\n\r\nhello", "carol@example.org:Subject: hi\r\n\r\nhello");
        assertThat(h.metrics.get(Counter.MESSAGES_ACCEPTED)).isEqualTo(1);
        assertThat(h.metrics.get(Counter.REPLIES_4XX)).isEqualTo(1);
        assertThat(h.metrics.get(Counter.REPLIES_5XX)).isEqualTo(1);
        assertThat(h.session.errorCount()).as("one message, one error, however many recipients refused it").isEqualTo(1);
        assertThat(boxes.events).anyMatch(e -> e.name().equals("message_accepted") && e.message().contains("for 2 of 4 recipient(s)"));
        assertThat(boxes.events).filteredOn(e -> e.name().equals("recipient_refused")).hasSize(2);
        // the session goes on
        assertThat(h.cmd("NOOP")).startsWith("250");
    }

    @Test
    void aHandlerWrittenForSmtpGivesItsOneOutcomeToEveryRecipient() {
        List<String> taken = new ArrayList<>();
        ProtocolHarness ok = lmtp(new SmtpHandler() {
            @Override
            public void onMessage(SmtpSession session, ReceivedMessage message) {
                taken.add(message.id());
            }
        });
        ok.cmd("LHLO client.test");
        assertThat(codes(transaction(ok, "a@example.org", "b@example.org"))).containsExactly(250, 250, 250, 354, 250, 250);
        assertThat(taken).containsExactly("TEST1.1");

        ProtocolHarness refusing = lmtp(new SmtpHandler() {
            @Override
            public void onMessage(SmtpSession session, ReceivedMessage message) {
                throw SmtpRejection.of(554, "5.7.1", "Spam");
            }
        });
        refusing.cmd("LHLO client.test");
        String replies = transaction(refusing, "a@example.org", "b@example.org", "c@example.org");
        assertThat(codes(replies)).containsExactly(250, 250, 250, 250, 354, 554, 554, 554);
        assertThat(refusing.metrics.get(Counter.MESSAGES_REJECTED)).isEqualTo(1);
        assertThat(refusing.metrics.get(Counter.MESSAGES_ACCEPTED)).isZero();
    }

    @Test
    void aHookThatThrowsOverridesWhatItRejectedAndA421ClosesAfterEveryReply() {
        ProtocolHarness failing = lmtp(new SmtpHandler() {
            @Override
            public void onLmtpMessage(SmtpSession session, ReceivedMessage message, RecipientReplies replies) {
                replies.reject(0, SmtpReply.of(550, "5.1.1", "No such mailbox"));
                throw new IllegalStateException("disk gone");
            }
        });
        failing.cmd("LHLO client.test");
        assertThat(codes(transaction(failing, "a@example.org", "b@example.org"))).containsExactly(250, 250, 250, 354, 451, 451);

        ProtocolHarness closing = lmtp(new SmtpHandler() {
            @Override
            public void onLmtpMessage(SmtpSession session, ReceivedMessage message, RecipientReplies replies) {
                throw SmtpRejection.of(421, "4.3.2", "Shutting down");
            }
        });
        closing.cmd("LHLO client.test");
        assertThat(codes(transaction(closing, "a@example.org", "b@example.org"))).containsExactly(250, 250, 250, 354, 421, 421);
        assertThat(closing.protocol.isClosed()).isTrue();
    }

    @Test
    void aMessageRefusedBeforeTheHookIsRefusedForEveryRecipient() {
        Mailboxes boxes = new Mailboxes();
        ProtocolHarness h = lmtp(boxes, b -> b.maxMessageSize(10));
        h.cmd("LHLO client.test");
        String replies = transaction(h, "a@example.org", "b@example.org");
        assertThat(codes(replies)).containsExactly(250, 250, 250, 354, 552, 552);
        assertThat(boxes.stored).isEmpty();
    }

    @Test
    void bdatLastGetsOneReplyPerRecipient() {
        Mailboxes boxes = new Mailboxes();
        ProtocolHarness h = lmtp(boxes);
        h.cmd("LHLO client.test");
        String replies = h.feed("MAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\nRCPT TO:<gone@example.org>\r\n"
                + "BDAT 7\r\nhello\r\nBDAT 0 LAST\r\n");
        assertThat(codes(replies)).containsExactly(250, 250, 250, 250, 250, 550);
        assertThat(boxes.stored).containsExactly("bob@example.org:hello");
    }

    @Test
    void aRecipientsRejectionMustBeAFailureThatKeepsTheConnection() {
        RecipientReplies replies = new RecipientReplies(List.of());
        assertThatThrownBy(() -> replies.reject(0, SmtpReply.of(550, "5.1.1", "x"))).isInstanceOf(IndexOutOfBoundsException.class);
        RecipientReplies one = new RecipientReplies(List.of(new dev.postern.Recipient(
                dev.postern.ForwardPath.of(new dev.postern.Mailbox("a", "example.org")), dev.postern.MailParameters.NONE)));
        assertThatThrownBy(() -> one.reject(0, SmtpReply.of(250, "2.0.0", "ok"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> one.reject(0, SmtpReply.of(421, "4.3.2", "bye"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("421 SmtpRejection");
        assertThatThrownBy(() -> one.reject(new dev.postern.Recipient(dev.postern.ForwardPath.of(new dev.postern.Mailbox("b", "example.org")),
                dev.postern.MailParameters.NONE), SmtpReply.of(550, "5.1.1", "x"))).isInstanceOf(IllegalArgumentException.class);
        one.reject(0, SmtpReply.of(450, "4.2.0", "later"));
        assertThat(one.rejected()).isEqualTo(1);
        assertThat(one.rejection(0).code()).isEqualTo(450);
    }
}
