package dev.postern.server;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.postern.Listener;
import dev.postern.SmtpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The HTTP endpoint of {@code --http-listen}, for operators: {@code GET /metrics} (Prometheus text),
 * {@code /health} (200 while the process runs) and {@code /ready} (200 until a graceful stop begins,
 * then 503, so that a load balancer sends no new clients). GET and HEAD only, small answers, no
 * request body read: it must not be a way to load the mail server.
 */
final class MonitoringEndpoint {

    static final String METRICS = "/metrics";
    static final String HEALTH = "/health";
    static final String READY = "/ready";

    private static final String TEXT = "text/plain; charset=utf-8";

    /** Requests handled at once; scrapers and health checkers need a few. */
    private static final int MAX_REQUESTS_AT_ONCE = 16;

    /**
     * The JDK server's own limits, which it reads from system properties once, when its first
     * instance is made. Set here unless set already, so that -D options in JAVA_OPTS win.
     */
    private static final Map<String, String> JDK_LIMITS = Map.of(
            // Open connections; one more is closed at accept, so they cannot use up file descriptors.
            "jdk.httpserver.maxConnections", "64",
            // Seconds to send a whole request and to take the whole answer: a slow client cannot hold a thread.
            "sun.net.httpserver.maxReqTime", "10",
            "sun.net.httpserver.maxRspTime", "10");

    private final HttpServer http;
    private final SmtpServer smtp;
    /** The relay queue's gauges, or null without a relay. */
    private final Supplier<Relay.Gauges> queue;
    private final Instant started = Instant.now();
    private volatile boolean stopping;

    private MonitoringEndpoint(HttpServer http, SmtpServer smtp, Supplier<Relay.Gauges> queue) {
        this.http = http;
        this.smtp = smtp;
        this.queue = queue;
    }

    /**
     * Starts answering on {@code address} for {@code smtp}, whose listeners have just opened.
     *
     * @param queue the relay queue's gauges, or null without a relay
     * @throws IOException if {@code address} cannot be bound
     */
    static MonitoringEndpoint start(Listener address, SmtpServer smtp, Supplier<Relay.Gauges> queue) throws IOException {
        JDK_LIMITS.forEach(System.getProperties()::putIfAbsent);
        InetSocketAddress socketAddress = address.host().equals("*")
                ? new InetSocketAddress(address.port()) : new InetSocketAddress(address.host(), address.port());
        if (socketAddress.isUnresolved()) {
            throw new IOException("cannot listen on --http-listen " + address + ": unknown host " + address.host());
        }
        HttpServer http;
        try {
            http = HttpServer.create(socketAddress, 0);
        } catch (IOException e) {
            throw new IOException("cannot listen on --http-listen " + address + ": " + e.getMessage(), e);
        }
        MonitoringEndpoint endpoint = new MonitoringEndpoint(http, smtp, queue);
        http.createContext("/", endpoint::handle);
        http.setExecutor(new BoundedVirtualThreads("postern-http-", MAX_REQUESTS_AT_ONCE));
        http.start();
        return endpoint;
    }

    /**
     * Serves {@code handler} under {@code prefix} (the admin page's routes, {@code --admin}), beside the
     * monitoring paths and within the same request bounds.
     */
    void mount(String prefix, com.sun.net.httpserver.HttpHandler handler) {
        http.createContext(prefix, handler);
    }

    InetSocketAddress address() {
        return http.getAddress();
    }

    /** From now on {@code /ready} answers 503: a graceful stop has begun. */
    void stopping() {
        stopping = true;
    }

    /** Closes the port and every connection at once; last, after the SMTP server has stopped. */
    void stop() {
        http.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!path.equals(METRICS) && !path.equals(HEALTH) && !path.equals(READY)) {
                answer(exchange, 404, TEXT, "not found: try " + METRICS + ", " + HEALTH + " or " + READY + "\n");
                return;
            }
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                answer(exchange, 405, TEXT, "method not allowed: GET or HEAD\n");
                return;
            }
            switch (path) {
                case METRICS -> answer(exchange, 200, PrometheusText.CONTENT_TYPE, PrometheusText.render(smtp, started,
                        queue == null ? null : queue.get()));
                case HEALTH -> answer(exchange, 200, TEXT, "ok\n");
                default -> { // READY
                    if (stopping) {
                        answer(exchange, 503, TEXT, "stopping\n");
                    } else {
                        answer(exchange, 200, TEXT, "ready\n");
                    }
                }
            }
        }
    }

    private static void answer(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        Headers headers = exchange.getResponseHeaders();
        headers.set("Content-Type", contentType);
        // A cached answer would hide a change of state from a health checker.
        headers.set("Cache-Control", "no-store");
        if (exchange.getRequestMethod().equals("HEAD")) {
            // The JDK server sends no Content-Length for HEAD by itself; it is the GET answer's.
            headers.set("Content-Length", Integer.toString(bytes.length));
            exchange.sendResponseHeaders(status, -1);
        } else {
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }
}
