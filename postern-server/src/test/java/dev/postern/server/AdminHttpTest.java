package dev.postern.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin endpoint's guard over real HTTP, written byte for byte (the JDK's client will not send a forged
 * Host or Sec-Fetch-Site): DNS rebinding, cross-site actions, tokens, methods; and the serve flags' errors.
 */
@Timeout(60)
class AdminHttpTest {

    private static final String TOKEN = "http-test-token-0123456789";

    @TempDir
    Path dir;

    private final List<StandaloneServer> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(s -> s.stop(Duration.ZERO));
    }

    private int serve(String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("--listen", "127.0.0.1:0", "--hostname", "mx.test",
                "--http-listen", "127.0.0.1:0", "--admin", "--maildir", dir.resolve("mail").toString()));
        args.addAll(List.of(extra));
        StandaloneServer s = new StandaloneServer(ServeCommandTest.settings(args.toArray(String[]::new)));
        s.start();
        servers.add(s);
        return s.httpAddress().getPort();
    }

    /** One request, the raw answer; {@code Connection: close} so that the answer ends with the connection. */
    private static String http(int port, String method, String path, Map<String, String> headers) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
            if (!headers.containsKey("Host")) {
                req.append("Host: 127.0.0.1:").append(port).append("\r\n");
            }
            headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
            req.append("Connection: close\r\n\r\n");
            if (headers.containsKey("Content-Length")) {
                req.append("x".repeat(Integer.parseInt(headers.get("Content-Length"))));
            }
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static int status(String answer) {
        return Integer.parseInt(answer.substring(9, 12));
    }

    @Test
    void readOnlyViewsNeedNoTokenButAForeignHostIsRefused() throws Exception {
        int port = serve("--admin-token-file", Files.writeString(dir.resolve("t"), TOKEN).toString());
        String page = http(port, "GET", "/admin/", Map.of());
        assertThat(status(page)).isEqualTo(200);
        // the JDK server writes header names in its own case
        assertThat(page.toLowerCase(java.util.Locale.ROOT)).contains("content-security-policy: default-src 'none'; script-src 'self'",
                "x-content-type-options: nosniff", "x-frame-options: deny");
        assertThat(status(http(port, "GET", "/admin/api/overview", Map.of("Host", "localhost:" + port)))).isEqualTo(200);
        assertThat(status(http(port, "GET", "/admin/api/sessions", Map.of("Host", "[::1]:" + port)))).isEqualTo(200);
        // DNS rebinding: a name an attacker's page resolves to 127.0.0.1
        String rebound = http(port, "GET", "/admin/api/received", Map.of("Host", "evil.example:" + port));
        assertThat(status(rebound)).isEqualTo(403);
        assertThat(rebound).contains("unexpected Host");
        assertThat(status(http(port, "GET", "/admin", Map.of()))).isEqualTo(308);
        assertThat(status(http(port, "GET", "/admin/nothing", Map.of()))).isEqualTo(404);
        String noQueue = http(port, "GET", "/admin/api/queue", Map.of());
        assertThat(status(noQueue)).isEqualTo(404);
        assertThat(new ObjectMapper().readTree(noQueue.substring(noQueue.indexOf("\r\n\r\n") + 4)).get("error").asText())
                .contains("no relay queue");
        assertThat(status(http(port, "PUT", "/admin/api/overview", Map.of()))).isEqualTo(405);
        // the monitoring paths are unchanged beside the admin routes
        assertThat(status(http(port, "GET", "/health", Map.of()))).isEqualTo(200);
    }

    @Test
    void actionsNeedTheTokenAndASameOriginRequest() throws Exception {
        int port = serve("--admin-token-file", Files.writeString(dir.resolve("t"), TOKEN).toString());
        String path = "/admin/api/bulk/retry-all";
        assertThat(http(port, "POST", path, Map.of())).startsWith("HTTP/1.1 401").contains("missing or wrong admin token");
        assertThat(status(http(port, "POST", path, Map.of("X-Postern-Token", TOKEN + "x")))).isEqualTo(401);
        assertThat(status(http(port, "POST", path, Map.of("X-Postern-Token", TOKEN, "Sec-Fetch-Site", "cross-site")))).isEqualTo(403);
        assertThat(status(http(port, "POST", path, Map.of("X-Postern-Token", TOKEN, "Sec-Fetch-Site", "same-site")))).isEqualTo(403);
        assertThat(status(http(port, "POST", path, Map.of("X-Postern-Token", TOKEN, "Origin", "http://evil.example")))).isEqualTo(403);
        // the right token, from the page's own origin: it gets as far as the queue, which a Maildir server lacks
        String ok = http(port, "POST", path, Map.of("X-Postern-Token", TOKEN, "Origin", "http://127.0.0.1:" + port,
                "Sec-Fetch-Site", "same-origin"));
        assertThat(ok).startsWith("HTTP/1.1 404").contains("no relay queue");
        assertThat(status(http(port, "POST", path, Map.of("X-Postern-Token", TOKEN, "Content-Length", "3")))).isIn(400, 413);
    }

    @Test
    void withoutATokenFileTheActionsAreOff() throws Exception {
        int port = serve();
        String refused = http(port, "POST", "/admin/api/bulk/retry-all", Map.of("X-Postern-Token", "anything-at-all-here"));
        assertThat(status(refused)).isEqualTo(403);
        assertThat(refused).contains("without --admin-token-file");
    }

    @Test
    void badAdminFlagsAreUsageErrors() throws Exception {
        Path shortToken = Files.writeString(dir.resolve("short"), "abc\n");
        Path good = Files.writeString(dir.resolve("good"), TOKEN + "\n");
        ServeCommandTest.assertUsageErrors(Map.of(
                List.of("--admin"), "--admin needs the monitoring endpoint",
                List.of("--admin-token-file", good.toString()), "without --admin",
                List.of("--admin-remote"), "without --admin",
                List.of("--admin", "--http-listen", "127.0.0.1:0", "--admin-token-file", shortToken.toString()), "at least 16 characters",
                List.of("--admin", "--http-listen", "127.0.0.1:0", "--admin-token-file", dir.resolve("none").toString()), "cannot read"));
    }
}
