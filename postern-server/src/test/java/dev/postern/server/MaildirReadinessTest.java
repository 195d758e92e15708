package dev.postern.server;

import dev.postern.testing.RawSmtpClient;
import dev.postern.testing.TestServer;
import dev.postern.testing.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The standalone server with a Maildir that cannot be written: refused at start; /ready 503 while deliveries fail. */
@Timeout(60)
class MaildirReadinessTest {

    @TempDir
    Path dir;

    @RegisterExtension
    final TestServers servers = new TestServers();

    private Path maildir() {
        return dir.resolve("mail");
    }

    @Test
    void anExistingMaildirThatCannotBeWrittenIsRefusedAtStartInOneLine() throws Exception {
        Files.createDirectories(maildir().resolve("new"));
        Files.createDirectories(maildir().resolve("tmp"));
        Files.createDirectories(maildir().resolve("cur"));
        try (Unwritable closed = Unwritable.make(maildir().resolve("new"))) {
            ServeCommandTest.Run r = ServeCommandTest.run("serve", "--listen", "127.0.0.1:0", "--maildir", maildir().toString());
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.err()).startsWith("postern: maildir " + maildir() + " is not writable: cannot write a file in "
                    + maildir().resolve("new") + " (");
            assertThat(r.err().strip().lines()).hasSize(1);
        }
    }

    @Test
    void readyAnswers503WhileTheMaildirFailsAndReadyAgainOnceItIsWritable() throws Exception {
        StandaloneServer standalone = new StandaloneServer(ServeCommandTest.settings("--listen", "127.0.0.1:0", "--hostname", "mx.test",
                "--maildir", maildir().toString(), "--http-listen", "127.0.0.1:0"));
        TestServer server = servers.add(TestServer.of(standalone.start(), () -> standalone.stop(Duration.ZERO)));
        InetSocketAddress http = standalone.httpAddress();
        URI ready = URI.create("http://127.0.0.1:" + http.getPort() + "/ready");
        assertThat(get(ready).statusCode()).isEqualTo(200);
        try (Unwritable closed = Unwritable.make(maildir().resolve("tmp"))) {
            assertThat(get(ready).statusCode()).as("nothing failed yet").isEqualTo(200);
            try (RawSmtpClient client = new RawSmtpClient(server.port())) {
                client.reply();
                assertThat(client.deliverAfterGreeting("a@example.org", "b@example.org", "Subject: x\r\n\r\nbody\r\n"))
                        .startsWith("451 4.3.0");
            }
            HttpResponse<String> failing = get(ready);
            assertThat(failing.statusCode()).isEqualTo(503);
            assertThat(failing.body()).isEqualTo("store failing\n");
            assertThat(get(URI.create("http://127.0.0.1:" + http.getPort() + "/health")).statusCode()).as("alive")
                    .isEqualTo(200);
        }
        HttpResponse<String> again = get(ready);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.body()).isEqualTo("ready\n");
        try (RawSmtpClient client = new RawSmtpClient(server.port())) {
            client.reply();
            assertThat(client.deliverAfterGreeting("a@example.org", "b@example.org", "Subject: x\r\n\r\nbody\r\n")).startsWith("250");
        }
        try (Stream<Path> files = Files.list(maildir().resolve("new"))) {
            assertThat(files.toList()).hasSize(1);
        }
    }

    private static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }
}
