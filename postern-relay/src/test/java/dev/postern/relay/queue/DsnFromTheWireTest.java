package dev.postern.relay.queue;

import dev.postern.ReceivedMessage;
import dev.postern.SmtpHandler;
import dev.postern.SmtpServer;
import dev.postern.SmtpSession;
import dev.postern.relay.DeliveryRequest;
import dev.postern.relay.RecipientOutcome;
import dev.postern.relay.RemoteReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DSN parameters as a client sends them to the receiving server (RET, ENVID on MAIL; NOTIFY, ORCPT on
 * RCPT), through {@code QueueEnvelope.from}, honoured in the relay's own notifications.
 */
class DsnFromTheWireTest {

    @TempDir
    Path dir;

    private QueueFixture fx;
    private SmtpServer server;

    @BeforeEach
    void start() throws Exception {
        fx = new QueueFixture(dir).running();
        server = SmtpServer.builder()
                .configure(c -> c.clearListeners().listen("127.0.0.1", 0).hostname("mx.test"))
                .handler(new SmtpHandler() {
                    @Override
                    public void onMessage(SmtpSession s, ReceivedMessage m) throws Exception {
                        fx.enqueue(QueueEnvelope.from(m.envelope()), m.readAllBytes());
                    }
                })
                .build().start();
    }

    @AfterEach
    void stop() throws Exception {
        server.stop(Duration.ZERO);
        fx.close();
    }

    private void send(String... commands) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            s.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            assertThat(reply(in)).startsWith("220");
            for (String c : commands) {
                out.write((c + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(reply(in)).as(c.length() > 40 ? c.substring(0, 40) : c).matches("^(2|3)\\d\\d[ -].*");
            }
        }
    }

    private static String reply(BufferedReader in) throws Exception {
        String line;
        do {
            line = in.readLine();
        } while (line != null && line.length() > 3 && line.charAt(3) == '-');
        return line;
    }

    @Test
    void notifyOrcptEnvidAndRetShapeTheNotifications() throws Exception {
        fx.transport.script = r -> r.startsWith("bob") || r.startsWith("dave") ? RecipientOutcome.Status.FAILED
                : RecipientOutcome.Status.DELIVERED;
        fx.transport.replies = r -> r.startsWith("bob") || r.startsWith("dave")
                ? new RemoteReply(550, "5.1.1", "User unknown") : FakeTransport.OK;
        send("EHLO client.test", "MAIL FROM:<alice@example.org> RET=FULL ENVID=QQ+2B42",
                "RCPT TO:<bob@example.net> NOTIFY=FAILURE ORCPT=rfc822;bob+2Bold@example.net",
                "RCPT TO:<carol@example.net> NOTIFY=SUCCESS",
                "RCPT TO:<dave@example.net> NOTIFY=NEVER",
                "DATA", "Subject: dsn\r\nMessage-ID: <x@example.org>\r\n\r\nbody\r\n.", "QUIT");

        List<DeliveryRequest> dsnRequests = fx.transport.requests().stream().filter(r -> r.sender().isEmpty()).toList();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (dsnRequests.size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(20);
            dsnRequests = fx.transport.requests().stream().filter(r -> r.sender().isEmpty()).toList();
        }
        Map<String, ParsedDsn> byAction = new java.util.HashMap<>();
        for (int i = 0; i < fx.transport.requests().size(); i++) {
            if (fx.transport.requests().get(i).sender().isEmpty()) {
                ParsedDsn dsn = ParsedDsn.parse(fx.transport.contents.get(i));
                byAction.put(dsn.field(0, "Action"), dsn);
            }
        }
        // a failure DSN for bob only (dave said NEVER), a success DSN for carol
        assertThat(byAction).containsOnlyKeys("failed", "relayed");
        ParsedDsn failed = byAction.get("failed");
        assertThat(failed.perRecipient()).hasSize(1);
        assertThat(failed.field(0, "Final-Recipient")).isEqualTo("rfc822; bob@example.net");
        assertThat(failed.field(0, "Original-Recipient")).isEqualTo("rfc822;bob+old@example.net");
        assertThat(failed.perMessage().getHeader("Original-Envelope-Id", null)).isEqualTo("QQ+42");
        assertThat(failed.returned().getContentType()).isEqualTo("message/rfc822"); // RET=FULL
        ParsedDsn relayed = byAction.get("relayed");
        assertThat(relayed.perRecipient()).hasSize(1);
        assertThat(relayed.field(0, "Final-Recipient")).isEqualTo("rfc822; carol@example.net");
    }
}
