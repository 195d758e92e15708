package dev.postern.server;

import dev.postern.testing.ExternalTool;
import dev.postern.testing.PeerProcess;
import dev.postern.testing.RawSmtpClient;
import dev.postern.testing.Swaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The {@code ./postern} launcher end to end, as a user runs it, on loopback. Runs after package (mvn
 * verify), with POSTERN_NO_BUILD=1: the launcher must not rebuild under the Maven build that runs it.
 */
@Timeout(120)
class LauncherIT extends LauncherFixture {

    private record Result(int exitCode, String out, String err) {
    }

    private Process start(String... args) throws IOException {
        return launcher.start("postern", args);
    }

    private Result finish(Process p, long seconds) throws Exception {
        return new Result(Launcher.exitCode(p, seconds), launcher.out("postern"), launcher.err("postern"));
    }

    private void awaitListening(Process p, int port) throws Exception {
        launcher.awaitListening(p, "postern", port);
    }

    @Test
    void servesSwaksIntoTheMaildirAndExitsZeroOnSigterm() throws Exception {
        int port = PeerProcess.freePort();
        Path maildir = dir.resolve("mail");
        Process server = start("serve", "--listen", "127.0.0.1:" + port, "--maildir", maildir.toString(),
                "--hostname", "mx.test", "--shutdown-grace", "2s");
        awaitListening(server, port);

        ExternalTool.Result swaks = Swaks.run(port, "--to", "a@b.c", "--from", "sender@example.com", "--helo", "client.example",
                "--body", "Hello from swaks");
        assertThat(swaks.exitCode()).as(swaks.output()).isZero();

        List<Path> delivered;
        try (Stream<Path> files = Files.list(maildir.resolve("new"))) {
            delivered = files.toList();
        }
        assertThat(delivered).hasSize(1);
        String stored = Files.readString(delivered.get(0), StandardCharsets.US_ASCII);
        assertThat(stored).startsWith("Received: from client.example (unknown [127.0.0.1]) by mx.test (Postern) with ESMTP id ")
                .contains(" for <a@b.c>; ")
                .contains("\r\nTo: a@b.c\r\n")
                // swaks ends its DATA with two empty lines of its own before the dot.
                .endsWith("\r\n\r\nHello from swaks\r\n\r\n\r\n");

        long started = System.nanoTime();
        server.destroy(); // SIGTERM
        Result r = finish(server, 2 + 10);
        assertThat(r.exitCode()).as("exit status after SIGTERM; stderr: " + r.err()).isZero();
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)).as("no open session: no wait").isLessThan(5);
        assertThat(r.err()).contains("Postern mx.test listening on 127.0.0.1:" + port + ", maildir " + maildir)
                .contains("stopping: open sessions get PT2S to finish")
                .contains(" stopped\n");
        assertThat(r.err()).as("the launcher allows Netty's native transport").doesNotContain("WARNING: A restricted method");
        assertThat(r.out()).isEmpty();
    }

    /**
     * A SIGTERM during start-up, while the server is still reading its settings (here a config file given as a pipe,
     * as {@code --config <(...)} does, whose writer has not finished), is an orderly stop: exit 0 and nothing opened,
     * not the JVM's exit 143 (the shutdown hook used to be registered only once the listeners were up).
     */
    @Test
    void sigtermDuringStartUpStopsCleanlyWithExitZero() throws Exception {
        int port = PeerProcess.freePort();
        Path maildir = dir.resolve("mail");
        Path fifo = dir.resolve("postern.yaml");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertThat(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0).as("mkfifo").isTrue();
        Process server = start("serve", "--config", fifo.toString(), "--listen", "127.0.0.1:" + port,
                "--maildir", maildir.toString());
        // Opening a pipe for writing returns once its reader has opened it: then the server is past the JVM's start,
        // inside `serve`, and reads its config until the writer closes, i.e. until this test lets it.
        CompletableFuture<OutputStream> writer = CompletableFuture.supplyAsync(() -> {
            try {
                return Files.newOutputStream(fifo);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        OutputStream config = null;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (config == null) {
                assertThat(server.isAlive()).as("postern still running; stderr: " + launcher.err("postern")).isTrue();
                assertThat(System.nanoTime()).as("postern opened its config within 60 s").isLessThan(deadline);
                try {
                    config = writer.get(100, TimeUnit.MILLISECONDS);
                } catch (TimeoutException notYet) {
                    // still starting the JVM
                }
            }
            config.write("hostname: mx.test\n".getBytes(StandardCharsets.US_ASCII));
            config.flush();

            server.destroy(); // SIGTERM, the config not yet read to its end
            Result r = finish(server, 10);
            assertThat(r.exitCode()).as("exit status after SIGTERM during start-up; stderr: " + r.err()).isZero();
            assertThat(r.err()).contains("stopped before start-up: nothing was opened").doesNotContain("listening");
            assertThat(r.out()).isEmpty();
            assertThat(maildir).as("nothing opened").doesNotExist();
            try (Socket s = new Socket()) {
                assertThatThrownBy(() -> s.connect(new InetSocketAddress("127.0.0.1", port), 1000))
                        .as("nothing listens on " + port).isInstanceOf(IOException.class);
            }
        } finally {
            if (config != null) {
                try {
                    config.close();
                } catch (IOException readerGone) {
                    // the server has exited
                }
            } else if (!writer.isDone()) {
                // Unblocks the writer's open: a pipe opened for reading and writing does not wait for a peer.
                try (RandomAccessFile unblock = new RandomAccessFile(fifo.toFile(), "rw")) {
                    writer.join().close();
                }
            }
        }
    }

    @Test
    void readyAnswers503FromSigtermUntilTheLastSessionEndsThenExitsZero() throws Exception {
        int port = PeerProcess.freePort();
        int httpPort = PeerProcess.freePort();
        Process server = start("serve", "--listen", "127.0.0.1:" + port, "--maildir", dir.resolve("mail").toString(),
                "--shutdown-grace", "20s", "--http-listen", "127.0.0.1:" + httpPort);
        awaitListening(server, port);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI ready = URI.create("http://127.0.0.1:" + httpPort + "/ready");
        // The endpoint opens just after the SMTP listeners.
        awaitListening(server, httpPort);
        assertThat(get(http, ready).statusCode()).isEqualTo(200);

        try (RawSmtpClient client = new RawSmtpClient(port)) {
            assertThat(client.reply()).startsWith("220 ");
            server.destroy(); // SIGTERM
            HttpResponse<String> response = get(http, ready);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (response.statusCode() == 200 && System.nanoTime() < deadline) {
                Thread.sleep(20);
                response = get(http, ready);
            }
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.body()).isEqualTo("stopping\n");
            assertThat(server.isAlive()).as("waiting for the open session").isTrue();
            assertThat(client.cmd("QUIT")).startsWith("221");
        }
        Result r = finish(server, 15);
        assertThat(r.exitCode()).as("exit status after SIGTERM; stderr: " + r.err()).isZero();
        assertThat(r.err()).contains("monitoring on http://127.0.0.1:" + httpPort + " (/metrics, /health, /ready)\n");
    }

    private static HttpResponse<String> get(HttpClient http, URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void serveHelpExitsZeroAndListsTheFlags() throws Exception {
        Result r = finish(start("serve", "--help"), 60);
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("--listen=HOST:PORT", "--maildir=DIR", "--discard", "--proxy-protocol=off|optional|required",
                "--trusted-proxies=CIDR[,CIDR...]", "--proxy-timeout=DURATION", "--xclient-hosts=CIDR[,CIDR...]",
                "--xforward-hosts", "--ignored-hosts", "--proxy-optional-wait", "--log-level", "--shutdown-grace", "--config=FILE",
                "--tls-listen=HOST:PORT", "--tls-cert=FILE", "--tls-self-signed", "--starttls=off|optional|required",
                "--http-listen=HOST:PORT", "--max-connections-per-client=N");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void proxyProtocolWithoutTrustedProxiesExitsTwoWithOneLine() throws Exception {
        Result r = finish(start("serve", "--listen", "127.0.0.1:" + PeerProcess.freePort(), "--proxy-protocol", "required"), 60);
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("postern: listener 127.0.0.1:").contains("no trusted proxies");
        assertThat(r.err().strip().lines()).hasSize(1);
    }
}
