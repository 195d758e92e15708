package dev.postern.server.admin;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link AdminGuard}'s decisions for clients a loopback-only test cannot be: another host's address, with
 * and without {@code --admin-remote}. (Over real sockets, {@code AdminHttpTest} covers the rest.)
 */
class AdminGuardTest {

    @TempDir
    Path dir;

    /** A request as the JDK server hands it over, from {@code peer}, with {@code headers}. */
    private static HttpExchange request(String peer, String method, Map<String, String> headers) {
        Headers request = new Headers();
        headers.forEach(request::add);
        return new HttpExchange() {
            @Override public Headers getRequestHeaders() { return request; }
            @Override public Headers getResponseHeaders() { return new Headers(); }
            @Override public URI getRequestURI() { return URI.create("/admin/api/overview"); }
            @Override public String getRequestMethod() { return method; }
            @Override public HttpContext getHttpContext() { return null; }
            @Override public void close() { }
            @Override public InputStream getRequestBody() { return InputStream.nullInputStream(); }
            @Override public OutputStream getResponseBody() { return new ByteArrayOutputStream(); }
            @Override public void sendResponseHeaders(int rCode, long responseLength) { }
            @Override public InetSocketAddress getRemoteAddress() { return new InetSocketAddress(peer, 40000); }
            @Override public int getResponseCode() { return -1; }
            @Override public InetSocketAddress getLocalAddress() { return new InetSocketAddress("127.0.0.1", 9025); }
            @Override public String getProtocol() { return "HTTP/1.1"; }
            @Override public Object getAttribute(String name) { return null; }
            @Override public void setAttribute(String name, Object value) { }
            @Override public void setStreams(InputStream i, OutputStream o) { }
            @Override public HttpPrincipal getPrincipal() { return null; }
        };
    }

    @Test
    void anotherHostIsRefusedUnlessRemoteAccessIsOn() throws Exception {
        AdminToken token = AdminToken.read(Files.writeString(dir.resolve("t"), "guard-test-token-0123456789"));
        AdminGuard loopbackOnly = new AdminGuard(new AdminSettings(token, false), "0.0.0.0");
        AdminGuard remote = new AdminGuard(new AdminSettings(token, true), "admin.example.org");
        Map<String, String> host = Map.of("Host", "192.0.2.10:9025");

        assertThat(loopbackOnly.view(request("127.0.0.1", "GET", host))).isNull();
        assertThat(loopbackOnly.view(request("::1", "GET", host))).isNull();
        AdminGuard.Refusal refused = loopbackOnly.view(request("192.0.2.99", "GET", host));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.reason()).contains("loopback clients only");

        assertThat(remote.view(request("192.0.2.99", "GET", host))).isNull();
        assertThat(remote.view(request("192.0.2.99", "GET", Map.of("Host", "admin.example.org:9025")))).isNull();
        assertThat(remote.view(request("192.0.2.99", "GET", Map.of("Host", "other.example.org")))).isNotNull();
        assertThat(remote.view(request("192.0.2.99", "GET", Map.of()))).isNotNull();
        assertThat(remote.act(request("192.0.2.99", "POST", Map.of("Host", "admin.example.org:9025",
                "X-Postern-Token", "guard-test-token-0123456789")))).isNull();
        assertThat(remote.act(request("192.0.2.99", "POST", Map.of("Host", "admin.example.org:9025",
                "X-Postern-Token", "guard-test-token-0123456789", "Origin", "https://admin.example.org:9025")))).isNull();
        assertThat(remote.act(request("192.0.2.99", "POST", Map.of("Host", "admin.example.org:9025",
                "X-Postern-Token", "guard-test-token-0123456789", "Origin", "https://evil.example")))).isNotNull();
        assertThat(remote.act(request("192.0.2.99", "POST", Map.of("Host", "admin.example.org:9025",
                "X-Postern-Token", "guard-test-token-012345678")))).isNotNull();
    }
}
