package dev.postern.server;

import dev.postern.testing.RawSmtpClient;
import dev.postern.testing.TestServer;
import dev.postern.testing.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The library's abuse limits and path syntax, set through the serve flags, over real sockets. */
@Timeout(60)
class ServeLimitsTest {

    @TempDir
    Path dir;

    @RegisterExtension
    final TestServers servers = new TestServers();

    private TestServer start(String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of("--listen", "127.0.0.1:0", "--hostname", "mx.test",
                "--maildir", dir.resolve("mail").toString()));
        all.addAll(List.of(args));
        StandaloneServer standalone = new StandaloneServer(ServeCommandTest.settings(all.toArray(String[]::new)));
        return servers.add(TestServer.of(standalone.start(), () -> standalone.stop(Duration.ZERO)));
    }

    @Test
    void maxConnectionRateRefusesTheClientOverItWith421() throws Exception {
        TestServer server = start("--max-connection-rate", "2/1h");
        for (int i = 0; i < 2; i++) {
            try (RawSmtpClient client = new RawSmtpClient("127.0.0.5", server.port())) {
                assertThat(client.reply()).startsWith("220 ");
            }
        }
        try (RawSmtpClient client = new RawSmtpClient("127.0.0.5", server.port())) {
            assertThat(client.reply()).startsWith("421 4.7.0");
        }
        try (RawSmtpClient other = new RawSmtpClient("127.0.0.6", server.port())) {
            assertThat(other.reply()).as("another client").startsWith("220 ");
        }
    }

    @Test
    void pathsLenientTakesAddressesWithoutAngleBrackets() throws Exception {
        for (String paths : new String[] {"strict", "lenient"}) {
            TestServer server = start("--paths", paths);
            try (RawSmtpClient client = new RawSmtpClient(server.port())) {
                client.reply();
                client.cmd("EHLO client.test");
                String reply = client.cmd("MAIL FROM:alice@example.org");
                assertThat(reply).as(paths).startsWith(paths.equals("lenient") ? "250 " : "501 ");
            }
        }
    }
}
