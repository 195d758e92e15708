package dev.postern;

import dev.postern.testing.RawSmtpClient;
import dev.postern.testing.TestServer;
import dev.postern.testing.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link SmtpServer#openSessions()} over real sockets. */
class OpenSessionsTest {

    @RegisterExtension
    final TestServers servers = new TestServers();

    @Test
    void listsEachOpenSessionWithItsClientAndTransactionUntilItCloses() throws Exception {
        TestServer server = servers.start(new SmtpHandler() { });
        assertThat(server.server().openSessions()).isEmpty();
        try (RawSmtpClient idle = new RawSmtpClient(server.port());
             RawSmtpClient busy = new RawSmtpClient(server.port())) {
            idle.reply();
            busy.reply();
            assertThat(busy.cmd("EHLO client.example")).startsWith("250");
            assertThat(busy.cmd("MAIL FROM:<alice@example.org>")).startsWith("250");
            List<SmtpSession> open = server.server().openSessions();
            assertThat(open).hasSize(2);
            assertThat(open).allSatisfy(s -> assertThat(s.remoteAddress().getAddress().isLoopbackAddress()).isTrue());
            SmtpSession inTransaction = open.stream().filter(s -> "client.example".equals(s.heloName())).findFirst().orElseThrow();
            assertThat(inTransaction.envelope().reversePath().address()).isEqualTo("alice@example.org");
            assertThat(inTransaction.isProxied()).isFalse();
            assertThatThrownBy(() -> open.add(inTransaction)).isInstanceOf(UnsupportedOperationException.class);

            assertThat(idle.cmd("QUIT")).startsWith("221");
            idle.readToClose();
        }
        // the disconnect ends on the event loop after the client's close: wait for it, bounded
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!server.server().openSessions().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(server.server().openSessions()).isEmpty();
    }
}
