package dev.postern.server;

import dev.postern.testing.ExternalTool;
import dev.postern.testing.RawSmtpClient;
import dev.postern.testing.Swaks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
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
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code ./postern} launcher end to end, as a user runs it, on loopback. Runs after package (mvn
 * verify), with POSTERN_NO_BUILD=1: the launcher must not rebuild under the Maven build that runs it.
 */
@Timeout(120)
class LauncherIT {

    @TempDir
    Path dir;

    private Launcher launcher;

    @BeforeEach
    void launcher() {
        launcher = new Launcher(dir);
    }

    @AfterEach
    void killLeftovers() {
        launcher.close();
    }

    private record Result(int exitCode, String out, String err) {
    }

    private Process start(String... args) throws IOException {
        return launcher.start("postern", args);
    }

    private Result finish(Process p, long seconds) throws Exception {
        return new Result(Launcher.exitCode(p, seconds), launcher.out("postern"), launcher.err("postern"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void awaitListening(Process p, int port) throws Exception {
        launcher.awaitListening(p, "postern", port);
    }

    @Test
    void servesSwaksIntoTheMaildirAndExitsZeroOnSigterm() throws Exception {
        int port = freePort();
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

    @Test
    void readyAnswers503FromSigtermUntilTheLastSessionEndsThenExitsZero() throws Exception {
        int port = freePort();
        int httpPort = freePort();
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
        Result r = finish(start("serve", "--listen", "127.0.0.1:" + freePort(), "--proxy-protocol", "required"), 60);
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("postern: listener 127.0.0.1:").contains("no trusted proxies");
        assertThat(r.err().strip().lines()).hasSize(1);
    }
}
