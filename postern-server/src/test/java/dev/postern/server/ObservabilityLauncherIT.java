package dev.postern.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postern.testing.PeerProcess;
import dev.postern.testing.RawSmtpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged server through {@code ./postern}, as an operator runs it: a plugin from {@code --plugin-dir}
 * configured in the config file, JSON log lines on stderr, and {@code /metrics} on the Prometheus client.
 */
@Timeout(120)
class ObservabilityLauncherIT extends LauncherFixture {

    @Test
    void pluginJsonLogsAndMetricsFromThePackagedServer() throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Path jar = PluginTest.buildSamplePlugin(Files.createDirectories(dir.resolve("build")));
        Files.copy(jar, plugins.resolve(jar.getFileName()));
        Path config = Files.writeString(dir.resolve("postern.yml"), """
                log-format: json
                plugin-dir: %s
                handler: allowlist
                plugins:
                  allowlist:
                    recipients: ["@example.org"]
                """.formatted(plugins));
        int port = PeerProcess.freePort();
        int httpPort = PeerProcess.freePort();
        Path maildir = dir.resolve("mail");
        Process server = launcher.start("postern", "serve", "--config", config.toString(), "--listen", "127.0.0.1:" + port,
                "--http-listen", "127.0.0.1:" + httpPort, "--maildir", maildir.toString(), "--hostname", "mx.test");
        launcher.awaitListening(server, "postern", port);
        launcher.awaitListening(server, "postern", httpPort);

        try (RawSmtpClient c = new RawSmtpClient(port)) {
            assertThat(c.reply()).startsWith("220");
            c.cmd("EHLO client.example");
            c.cmd("MAIL FROM:<sender@example.com>");
            assertThat(c.cmd("RCPT TO:<bob@example.net>")).startsWith("550 5.7.1");
            assertThat(c.cmd("RCPT TO:<alice@example.org>")).startsWith("250");
            c.cmd("DATA");
            assertThat(c.cmd("Subject: launcher\r\n\r\nbody\r\n.")).startsWith("250");
            c.cmd("QUIT");
        }
        try (Stream<Path> files = Files.list(maildir.resolve("new"))) {
            assertThat(files.count()).isEqualTo(1);
        }

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI metrics = URI.create("http://127.0.0.1:" + httpPort + "/metrics");
        List<PrometheusMetricsTest.Sample> samples = List.of();
        Map<String, String> listener = Map.of("listener", "127.0.0.1:" + port);
        long deadline = System.nanoTime() + 10_000_000_000L;
        // Two sessions: awaitListening's probe connection, and the client's.
        while (!Double.valueOf(2.0).equals(PrometheusMetricsTest.value(samples, "postern_session_duration_seconds_count", listener))
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
            samples = PrometheusMetricsTest.parse(http.send(HttpRequest.newBuilder(metrics).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
        }
        assertThat(PrometheusMetricsTest.value(samples, "postern_session_duration_seconds_count", listener)).isEqualTo(2.0);
        assertThat(PrometheusMetricsTest.value(samples, "postern_hook_duration_seconds_count",
                Map.of("listener", "127.0.0.1:" + port, "hook", "onRcptTo"))).as("the plugin's hook").isEqualTo(2.0);
        assertThat(PrometheusMetricsTest.value(samples, "jvm_memory_used_bytes", Map.of("area", "heap"))).isPositive();
        assertThat(samples).anyMatch(s -> s.name().equals("postern_build_info"));

        server.destroy(); // SIGTERM
        assertThat(Launcher.exitCode(server, 20)).isZero();
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : launcher.err("postern").split("\n")) {
            if (line.startsWith("WARNING:")) { // the JVM's own, before logging starts (none expected)
                continue;
            }
            lines.add(json.readTree(line)); // every log line is one JSON object
        }
        assertThat(lines).extracting(l -> l.path("event").asText())
                .contains("started", "plugins", "connect", "hook_rejected", "message_accepted", "disconnect", "stopped");
        JsonNode rejected = lines.stream().filter(l -> l.path("event").asText().equals("hook_rejected")).findFirst().orElseThrow();
        assertThat(rejected.get("hook").asText()).isEqualTo("onRcptTo");
        assertThat(rejected.get("reply").asText()).startsWith("550 5.7.1 <bob@example.net>");
        assertThat(rejected.get("client").asText()).startsWith("127.0.0.1:");
    }
}
