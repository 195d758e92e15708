package dev.postern;

import dev.postern.ServerMetrics.Counter;
import dev.postern.testing.RawSmtpClient;
import dev.postern.testing.TestServer;
import dev.postern.testing.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** The counters behind SmtpServer.metrics(), driven over real sockets. */
class ServerMetricsTest {

    @RegisterExtension
    final TestServers servers = new TestServers();

    @Test
    void countsConnectionsMessagesAndErrorReplies() throws Exception {
        TestServer server = servers.start(new SmtpHandler() {
            @Override
            public void onMessage(SmtpSession session, ReceivedMessage message) throws Exception {
                if (new String(message.readAllBytes()).contains("Subject: reject me")) {
                    throw SmtpRejection.of(550, "5.7.1", "Not this one");
                }
            }
        }, c -> c.maxConnections(1));
        SmtpServerSocketTest.sendWithAngus(server.port(), "a@example.org", "b@example.net", "keep me", "hello\r\n", new Properties());
        server.awaitNoConnections(); // else the next connection may find Angus's still counted, and be refused
        try (RawSmtpClient c = new RawSmtpClient(server.port())) {
            assertThat(c.reply()).startsWith("220");
            c.cmd("EHLO c");
            c.cmd("RCPT TO:<b@example.net>"); // 503
            c.cmd("MAIL FROM:<a@example.org>");
            c.cmd("RCPT TO:<b@example.net>");
            c.cmd("DATA");
            assertThat(c.cmd("Subject: reject me\r\n\r\nbody\r\n.")).startsWith("550 5.7.1");
            try (RawSmtpClient second = new RawSmtpClient(server.port())) {
                assertThat(second.reply()).startsWith("421"); // maxConnections 1
            }
            c.cmd("QUIT");
        }
        ServerMetrics m = server.metrics();
        assertThat(m.get(Counter.CONNECTIONS_ACCEPTED)).isEqualTo(2);
        assertThat(m.get(Counter.CONNECTIONS_REFUSED)).isEqualTo(1);
        assertThat(m.get(Counter.MESSAGES_ACCEPTED)).isEqualTo(1);
        assertThat(m.get(Counter.MESSAGE_BYTES_ACCEPTED)).isGreaterThan(100);
        assertThat(m.get(Counter.MESSAGES_REJECTED)).isEqualTo(1);
        assertThat(m.get(Counter.REPLIES_5XX)).isEqualTo(2); // 503 and 550
        assertThat(m.snapshot()).hasSize(Counter.values().length);
    }
}
