package dev.postern.server;

import dev.postern.ServerMetrics;
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
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /metrics} on the Prometheus Java client, after real sessions: the standard JVM names, the
 * histograms labelled by listener, and {@code postern_build_info}.
 */
@Timeout(60)
class PrometheusMetricsTest {

    @TempDir
    Path dir;

    @RegisterExtension
    final TestServers servers = new TestServers();

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** {@code name{a="x",b="y"} value}: the text format's sample line. */
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})? (\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

    /** One sample: its metric name, its labels and its value. */
    record Sample(String name, Map<String, String> labels, double value) {
    }

    static List<Sample> parse(String body) {
        List<Sample> samples = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (line.startsWith("#") || line.isEmpty()) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertThat(m.matches()).as("a sample line: " + line).isTrue();
            Map<String, String> labels = new TreeMap<>();
            if (m.group(2) != null) {
                Matcher l = LABEL.matcher(m.group(2));
                int end = 0;
                while (l.lookingAt()) {
                    labels.put(l.group(1), l.group(2));
                    end = l.end();
                    l.region(end, m.group(2).length());
                }
                assertThat(end).as("labels of " + line).isEqualTo(m.group(2).length());
            }
            samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
        }
        return samples;
    }

    /** The value of the one sample with this name and exactly these labels, or null. */
    static Double value(List<Sample> samples, String name, Map<String, String> labels) {
        return samples.stream().filter(s -> s.name().equals(name) && s.labels().equals(new TreeMap<>(labels)))
                .map(Sample::value).findFirst().orElse(null);
    }

    private record Running(StandaloneServer standalone, TestServer smtp) {
        URI metrics() {
            InetSocketAddress a = standalone.httpAddress();
            return URI.create("http://" + a.getHostString() + ":" + a.getPort() + "/metrics");
        }
    }

    private Running start(String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of("--hostname", "mx.test", "--maildir", dir.resolve("mail").toString(),
                "--http-listen", "127.0.0.1:0"));
        all.addAll(List.of(args));
        StandaloneServer standalone = new StandaloneServer(ServeCommandTest.settings(all.toArray(String[]::new)));
        TestServer server = servers.add(TestServer.of(standalone.start(), () -> standalone.stop(Duration.ZERO)));
        return new Running(standalone, server);
    }

    private static HttpResponse<String> get(URI uri, String accept) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
        if (accept != null) {
            request.header("Accept", accept);
        }
        return HTTP.send(request.build(), BodyHandlers.ofString());
    }

    /** Scrapes until {@code wanted} holds (sessions are counted once the server has seen the close), at most 5 s. */
    private static List<Sample> scrapeUntil(URI uri, java.util.function.Predicate<List<Sample>> wanted) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (true) {
            List<Sample> samples = parse(get(uri, null).body());
            if (wanted.test(samples) || System.nanoTime() > deadline) {
                return samples;
            }
            Thread.sleep(20);
        }
    }

    @Test
    void histogramsPerListenerJvmMetricsAndBuildInfoAfterRealSessions() throws Exception {
        // Two listeners: "localhost" binds 127.0.0.1 (the second address) and ::1, each on a port of its own.
        Running server = start("--listen", "127.0.0.1:0", "--listen", "localhost:0");
        String content = "Subject: measured\r\n\r\nbody\r\n";
        for (int listener = 0; listener < 2; listener++) {
            try (RawSmtpClient client = new RawSmtpClient(server.smtp().server().boundAddresses().get(listener).getPort())) {
                assertThat(client.deliver("a@example.com", "rcpt@example.org", content)).startsWith("250 ");
                assertThat(client.cmd("QUIT")).startsWith("221");
            }
        }
        Map<String, String> first = Map.of("listener", "127.0.0.1:0");
        Map<String, String> second = Map.of("listener", "localhost:0");
        List<Sample> samples = scrapeUntil(server.metrics(),
                s -> value(s, "postern_session_duration_seconds_count", second) != null);

        for (Map<String, String> listener : List.of(first, second)) {
            assertThat(value(samples, "postern_session_duration_seconds_count", listener)).isEqualTo(1.0);
            assertThat(value(samples, "postern_session_duration_seconds_sum", listener)).isPositive();
            Map<String, String> accepted = with(listener, "reply", "2xx");
            assertThat(value(samples, "postern_message_size_bytes_count", accepted)).isEqualTo(1.0);
            assertThat(value(samples, "postern_message_reply_seconds_count", accepted)).isEqualTo(1.0);
            assertThat(value(samples, "postern_message_reply_seconds_bucket", with(accepted, "le", "+Inf"))).isEqualTo(1.0);
            // The Maildir handler overrides onDataStart (the Received field) and onMessage (the store).
            assertThat(value(samples, "postern_hook_duration_seconds_count", with(listener, "hook", "onMessage"))).isEqualTo(1.0);
            assertThat(value(samples, "postern_hook_duration_seconds_count", with(listener, "hook", "onDataStart"))).isEqualTo(1.0);
            assertThat(value(samples, "postern_hook_duration_seconds_count", with(listener, "hook", "onRcptTo"))).isNull();
        }
        // Both messages' octets: the histograms' sums are the counter's total.
        double bytes = value(samples, "postern_message_size_bytes_sum", with(first, "reply", "2xx"))
                + value(samples, "postern_message_size_bytes_sum", with(second, "reply", "2xx"));
        assertThat(bytes).isEqualTo((double) server.smtp().metrics().get(ServerMetrics.Counter.MESSAGE_BYTES_ACCEPTED));
        assertThat(value(samples, "postern_message_size_bytes_bucket", Map.of("listener", "127.0.0.1:0", "reply", "2xx",
                "le", "1024.0"))).isEqualTo(1.0);

        // The counters and gauges kept their names.
        assertThat(value(samples, "postern_messages_accepted_total", Map.of())).isEqualTo(2.0);
        assertThat(value(samples, "postern_connections_accepted_total", Map.of())).isEqualTo(2.0);
        assertThat(value(samples, "postern_up", Map.of())).isEqualTo(1.0);
        assertThat(value(samples, "postern_connections_active", Map.of())).isNotNull();
        // The client's standard JVM and process metrics.
        assertThat(value(samples, "jvm_memory_used_bytes", Map.of("area", "heap"))).isPositive();
        assertThat(value(samples, "jvm_threads_current", Map.of())).isPositive();
        assertThat(value(samples, "process_cpu_seconds_total", Map.of())).isPositive();
        assertThat(samples).anyMatch(s -> s.name().equals("jvm_gc_collection_seconds_count"));

        BuildInfo build = new BuildInfo();
        assertThat(build.version()).isEqualTo("0.1.0-SNAPSHOT");
        assertThat(build.commit()).as("built in a git checkout").matches("[0-9a-f]{12}");
        assertThat(value(samples, "postern_build_info", Map.of("version", build.version(), "commit", build.commit(),
                "java_version", System.getProperty("java.version")))).isEqualTo(1.0);
    }

    @Test
    void openMetricsWhenTheScraperAsksForIt() throws Exception {
        Running server = start("--listen", "127.0.0.1:0");
        HttpResponse<String> text = get(server.metrics(), null);
        assertThat(text.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        HttpResponse<String> open = get(server.metrics(), "application/openmetrics-text; version=1.0.0; charset=utf-8");
        assertThat(open.statusCode()).isEqualTo(200);
        assertThat(open.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/openmetrics-text");
        assertThat(open.body()).contains("# TYPE postern_build info\n").endsWith("# EOF\n");
    }

    private static Map<String, String> with(Map<String, String> labels, String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(labels);
        more.put(name, value);
        return more;
    }
}
