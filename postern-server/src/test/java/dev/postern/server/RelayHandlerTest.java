package dev.postern.server;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.postern.BodyType;
import dev.postern.Envelope;
import dev.postern.ForwardPath;
import dev.postern.MailParameters;
import dev.postern.Mailbox;
import dev.postern.Recipient;
import dev.postern.ReversePath;
import dev.postern.SmtpRejection;
import dev.postern.relay.queue.MailQueue;
import dev.postern.relay.queue.QueuedMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The relay handler's hooks without a connection, over a real queue directory. */
class RelayHandlerTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-03-05T09:07:02Z"), ZoneOffset.UTC);
    private static final byte[] CONTENT = "Subject: hi\r\n\r\nHello.\r\n".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    private MailQueue queue;
    private final Logger sessionLog = (Logger) LoggerFactory.getLogger("dev.postern.session");
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();

    @BeforeEach
    void captureTheSessionLog() {
        log.start();
        sessionLog.addAppender(log);
    }

    @AfterEach
    void closeTheQueue() throws IOException {
        sessionLog.detachAppender(log);
        if (queue != null) {
            queue.close();
        }
    }

    private RelayHandler handler(int maxMessages, long maxBytes) throws IOException {
        queue = MailQueue.open(dir.resolve("queue"), new MailQueue.Limits(maxMessages, maxBytes));
        return new RelayHandler(queue, new RelayAccess(List.of("example.org"), RelayAccess.networks("10.0.0.0/8")),
                "mx.test", CLOCK);
    }

    private static Envelope envelope(String from, String... to) {
        int at = from.indexOf('@');
        return new Envelope(ReversePath.of(new Mailbox(from.substring(0, at), from.substring(at + 1))),
                new MailParameters(Map.of("RET", "HDRS", "ENVID", "E1")),
                java.util.Arrays.stream(to).map(t -> new Recipient(ForwardPath.of(new Mailbox(t.substring(0, t.indexOf('@')),
                        t.substring(t.indexOf('@') + 1))), new MailParameters(Map.of("NOTIFY", "FAILURE")))).toList(),
                BodyType.UNSPECIFIED, false, -1);
    }

    private List<String> logLines() {
        return log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void messageIsQueuedWithItsEnvelopeAndTheLogLineNamesTheQueueId() throws IOException {
        RelayHandler handler = handler(10, 1 << 20);
        handler.onMessage(new FakeSession(), FakeMessage.of(CONTENT, envelope("alice@example.com", "bob@example.org")));

        QueuedMessage queued = queue.messages().get(0);
        assertThat(queued.sender()).isEqualTo("alice@example.com");
        assertThat(queued.recipients()).singleElement().satisfies(r -> {
            assertThat(r.address()).isEqualTo("bob@example.org");
            assertThat(r.dsnNotify()).isEqualTo("FAILURE");
        });
        assertThat(queued.envid()).isEqualTo("E1");
        assertThat(Files.readAllBytes(dir.resolve("queue/content/" + queued.id()))).isEqualTo(CONTENT);
        assertThat(logLines()).containsExactly("[S1] message S1-1 queued as " + queued.id()
                + " from <alice@example.com> for 1 recipient(s), " + CONTENT.length + " octets");
    }

    @Test
    void theLogLineNamesTheInboundProxyOfAProxiedClient() throws IOException {
        RelayHandler handler = handler(10, 1 << 20);
        FakeSession session = new FakeSession();
        session.proxied = true;
        session.proxyHop = new InetSocketAddress("192.0.2.99", 51234);
        handler.onMessage(session, FakeMessage.of(CONTENT, envelope("alice@example.com", "bob@example.org")));
        assertThat(logLines()).singleElement().asString().endsWith(" octets PRX=[192.0.2.99]:51234");
    }

    @Test
    void aFullQueueRefusesAtMailByTheDeclaredSizeAndByTheMessageCount() throws IOException {
        RelayHandler handler = handler(1, 1000);
        FakeSession session = new FakeSession();
        ReversePath from = ReversePath.NULL;
        assertThat(handler.onMailFrom(session, from, new MailParameters(Map.of("SIZE", "1000")))).isEqualTo(from);
        assertThatThrownBy(() -> handler.onMailFrom(session, from, new MailParameters(Map.of("SIZE", "1001"))))
                .isInstanceOfSatisfying(SmtpRejection.class, r -> assertThat(r.reply()).hasToString("452 4.3.1 Queue full, try again later"));

        handler.onMessage(session, FakeMessage.of(CONTENT, envelope("alice@example.com", "bob@example.org")));
        assertThatThrownBy(() -> handler.onMailFrom(session, from, MailParameters.NONE))
                .isInstanceOfSatisfying(SmtpRejection.class, r -> assertThat(r.reply().code()).isEqualTo(452));
        assertThatThrownBy(() -> handler.onMessage(session, FakeMessage.of(CONTENT, envelope("alice@example.com", "bob@example.org"))))
                .as("a message that comes without SIZE is refused after its data")
                .isInstanceOfSatisfying(SmtpRejection.class, r -> assertThat(r.reply().toString()).startsWith("452 4.3.1 "));
        assertThat(queue.messages()).hasSize(1);
    }

    @Test
    void aQueueThatCannotStoreGives451AndOneErrorLine() throws IOException {
        RelayHandler handler = handler(10, 1 << 20);
        queue.close();
        assertThatThrownBy(() -> handler.onMessage(new FakeSession(), FakeMessage.of(CONTENT, envelope("alice@example.com", "bob@example.org"))))
                .isInstanceOfSatisfying(SmtpRejection.class, r -> assertThat(r.reply())
                        .hasToString("451 4.3.0 Cannot queue the message now, try again later"));
        assertThat(logLines()).singleElement().asString().startsWith("[S1] cannot queue message S1-1 in ")
                .contains("is closed");
    }

    @Test
    void recipientsAreCheckedAgainstTheRelayRule() throws IOException {
        RelayHandler handler = handler(10, 1 << 20);
        FakeSession stranger = new FakeSession();
        ForwardPath ours = ForwardPath.of(new Mailbox("bob", "example.org"));
        assertThat(handler.onRcptTo(stranger, ours, MailParameters.NONE)).isEqualTo(ours);
        assertThatThrownBy(() -> handler.onRcptTo(stranger, ForwardPath.of(new Mailbox("bob", "elsewhere.example")), MailParameters.NONE))
                .hasMessageContaining("Relay access denied");
    }

    @Test
    void receivedFieldIsTheMaildirHandlersOne() throws IOException {
        RelayHandler handler = handler(10, 1 << 20);
        HandlersTest.PrependedFields headers = new HandlersTest.PrependedFields();
        handler.onDataStart(new FakeSession(), headers);
        assertThat(headers.prepended).singleElement().satisfies(f -> assertThat(f.value())
                .isEqualTo("from client.example (unknown [192.0.2.7]) by mx.test (Postern) with ESMTP id S1; Tue, 5 Mar 2024 09:07:02 +0000"));
    }
}
