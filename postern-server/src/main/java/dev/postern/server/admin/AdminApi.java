package dev.postern.server.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.postern.Listener;
import dev.postern.SmtpServer;
import dev.postern.SmtpServerConfig;
import dev.postern.SmtpSession;
import dev.postern.proxy.ProxyProtocolMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The admin page and its JSON API under {@code /admin/}, mounted on the monitoring endpoint by
 * {@code --admin}:
 * <pre>
 * GET  /admin/                              the page (HTML, CSS and script from the jar)
 * GET  /admin/api/overview                  version, uptime, listeners, where mail goes
 * GET  /admin/api/sessions                  the open SMTP sessions
 * GET  /admin/api/metrics                   the last hour of the counters
 * GET  /admin/api/queue[?sender=&amp;domain=&amp;state=&amp;limit=]  the queue, as postern queue list --json
 *                                           (with limit, the first messages and X-Postern-Total)
 * GET  /admin/api/queue/ID                  one message with its header fields
 * GET  /admin/api/queue/ID/raw              its content
 * GET  /admin/api/received                  the last messages delivered to the Maildir
 * POST /admin/api/queue/ID/ACTION           retry, delete, hold, release, bounce
 * POST /admin/api/domain/DOMAIN/ACTION      hold, release, delete
 * POST /admin/api/bulk/ACTION               retry-all, release-all, delete-deferred
 * </pre>
 * Every answer carries a strict Content-Security-Policy (scripts and styles from this origin only, nothing
 * inline) and no answer embeds data in HTML: the page's script puts every value in as text. Who may do what
 * is {@link AdminGuard}'s decision.
 */
public final class AdminApi implements HttpHandler {

    /** Where the page and API live on the endpoint. */
    public static final String PREFIX = "/admin";

    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static final Logger LOG = LoggerFactory.getLogger("dev.postern.admin");
    private static final String JSON = "application/json; charset=utf-8";
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final int RECENT_MESSAGES = 20;

    /** The page's files: name, content type. */
    private static final Map<String, String> ASSETS = Map.of(
            "index.html", "text/html; charset=utf-8",
            "admin.js", "text/javascript; charset=utf-8",
            "admin.css", "text/css; charset=utf-8",
            "favicon.svg", "image/svg+xml");

    /**
     * What the page shows besides the SMTP server itself.
     *
     * @param queue       the relay queue's operations, or null without a relay
     * @param destination where accepted mail goes, in words (the start line's)
     * @param maildir     the Maildir whose last messages are shown, or null when mail goes elsewhere
     */
    public record Sources(QueueOperations queue, String destination, Path maildir) {
    }

    private final AdminGuard guard;
    private final SmtpServer smtp;
    private final Sources sources;
    private final MetricsHistory history;
    private final Instant started;
    private final String version;
    private final Map<String, byte[]> assets = new HashMap<>();

    /**
     * @param settings   the admin settings
     * @param listenHost the configured host of the monitoring endpoint
     * @param smtp       the running SMTP server
     * @param sources    the queue and the Maildir
     * @param history    the counters' history, closed by the caller
     * @param started    when the server started
     */
    public AdminApi(AdminSettings settings, String listenHost, SmtpServer smtp, Sources sources, MetricsHistory history,
                    Instant started) {
        this.guard = new AdminGuard(settings, listenHost);
        this.smtp = smtp;
        this.sources = sources;
        this.history = history;
        this.started = started;
        this.version = version();
        for (String name : ASSETS.keySet()) {
            try (InputStream in = AdminApi.class.getResourceAsStream(name)) {
                if (in == null) {
                    throw new IllegalStateException("the admin page's " + name + " is missing from the jar");
                }
                assets.put(name, in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            AdminGuard.Refusal refused = guard.view(exchange);
            if (refused != null) {
                error(exchange, refused.status(), refused.reason());
                return;
            }
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            String rest = path.equals(PREFIX) ? "" : path.substring(PREFIX.length() + 1);
            try {
                if (method.equals("POST")) {
                    post(exchange, rest);
                } else if (method.equals("GET") || method.equals("HEAD")) {
                    get(exchange, path, rest);
                } else {
                    exchange.getResponseHeaders().set("Allow", "GET, HEAD, POST");
                    error(exchange, 405, "method not allowed");
                }
            } catch (IllegalArgumentException e) {
                error(exchange, 400, e.getMessage());
            } catch (IOException | RuntimeException e) {
                LOG.error("admin {} {} failed", method, path, e);
                error(exchange, 500, "failed: " + e.getMessage());
            }
        }
    }

    private void get(HttpExchange exchange, String path, String rest) throws IOException {
        if (path.equals(PREFIX)) {
            exchange.getResponseHeaders().set("Location", PREFIX + "/");
            send(exchange, 308, TEXT, new byte[0]);
            return;
        }
        if (rest.isEmpty()) {
            rest = "index.html";
        }
        if (ASSETS.containsKey(rest)) {
            send(exchange, 200, ASSETS.get(rest), assets.get(rest));
            return;
        }
        String[] parts = rest.split("/", -1);
        if (parts.length < 2 || !parts[0].equals("api")) {
            error(exchange, 404, "not found");
            return;
        }
        switch (parts[1]) {
            case "overview" -> json(exchange, 200, overview());
            case "sessions" -> json(exchange, 200, sessions());
            case "metrics" -> json(exchange, 200, history.json());
            case "received" -> {
                if (sources.maildir() == null) {
                    error(exchange, 404, "mail is not delivered to a Maildir");
                } else {
                    json(exchange, 200, new RecentMail(sources.maildir(), RECENT_MESSAGES).json());
                }
            }
            case "queue" -> getQueue(exchange, parts);
            default -> error(exchange, 404, "not found");
        }
    }

    private void getQueue(HttpExchange exchange, String[] parts) throws IOException {
        QueueOperations queue = queue(exchange);
        if (queue == null) {
            return;
        }
        if (parts.length == 2) {
            Map<String, String> q = query(exchange);
            QueueFilter filter = new QueueFilter(q.get("sender"), q.get("domain"), q.get("state"));
            if (q.containsKey("limit")) {
                // the page asks for a bounded table; the command line for every message
                QueueOperations.Page page = queue.page(filter, limit(q.get("limit")));
                exchange.getResponseHeaders().set("X-Postern-Total", Integer.toString(page.total()));
                json(exchange, 200, page.messages());
            } else {
                json(exchange, 200, queue.list(filter));
            }
        } else if (parts.length == 3) {
            Optional<ObjectNode> m = queue.show(decode(parts[2]));
            if (m.isEmpty()) {
                error(exchange, 404, "no such message: " + parts[2]);
            } else {
                json(exchange, 200, m.get());
            }
        } else if (parts.length == 4 && parts[3].equals("raw")) {
            Optional<InputStream> raw = queue.raw(decode(parts[2]));
            if (raw.isEmpty()) {
                error(exchange, 404, "no such message: " + parts[2]);
                return;
            }
            try (InputStream in = raw.get()) {
                security(exchange.getResponseHeaders());
                exchange.getResponseHeaders().set("Content-Type", TEXT);
                if (exchange.getRequestMethod().equals("HEAD")) {
                    exchange.sendResponseHeaders(200, -1);
                    return;
                }
                exchange.sendResponseHeaders(200, 0);
                try (OutputStream out = exchange.getResponseBody()) {
                    in.transferTo(out);
                }
            }
        } else {
            error(exchange, 404, "not found");
        }
    }

    private void post(HttpExchange exchange, String rest) throws IOException {
        AdminGuard.Refusal refused = guard.act(exchange);
        if (refused != null) {
            LOG.warn("admin action {} refused for {}: {}", rest, exchange.getRemoteAddress(), refused.reason());
            error(exchange, refused.status(), refused.reason());
            return;
        }
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length != null && !length.equals("0")) {
            error(exchange, 413, "an action takes no request body");
            return;
        }
        String[] parts = rest.split("/", -1);
        QueueOperations queue = parts.length >= 3 && parts[0].equals("api") ? queue(exchange) : null;
        if (queue == null) {
            if (!(parts.length >= 3 && parts[0].equals("api"))) {
                error(exchange, 404, "not found");
            }
            return;
        }
        ObjectNode result;
        if (parts.length == 4 && parts[1].equals("queue")) {
            Optional<ObjectNode> done = queue.act(decode(parts[2]), QueueOperations.Action.of(parts[3]));
            if (done.isEmpty()) {
                error(exchange, 404, "no such message: " + parts[2]);
                return;
            }
            result = done.get();
        } else if (parts.length == 4 && parts[1].equals("domain")) {
            result = queue.act(decode(parts[2]), domainAction(parts[3]));
        } else if (parts.length == 3 && parts[1].equals("bulk")) {
            result = queue.act(bulkAction(parts[2]));
        } else {
            error(exchange, 404, "not found");
            return;
        }
        LOG.info("admin action by {}: {}", exchange.getRemoteAddress(), result);
        json(exchange, 200, result);
    }

    private QueueOperations queue(HttpExchange exchange) throws IOException {
        if (sources.queue() == null) {
            error(exchange, 404, "this server has no relay queue (--relay)");
        }
        return sources.queue();
    }

    private static QueueOperations.DomainAction domainAction(String word) {
        for (QueueOperations.DomainAction a : QueueOperations.DomainAction.values()) {
            if (a.word().equals(word)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown domain action '" + word + "': hold, release or delete");
    }

    private static QueueOperations.BulkAction bulkAction(String word) {
        for (QueueOperations.BulkAction a : QueueOperations.BulkAction.values()) {
            if (a.word().equals(word)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown action '" + word + "': retry-all, release-all or delete-deferred");
    }

    private ObjectNode overview() {
        ObjectNode o = QueueJson.MAPPER.createObjectNode();
        SmtpServerConfig config = smtp.config();
        Instant now = Instant.now();
        o.put("version", version);
        o.put("hostname", config.hostname());
        o.put("started", started.toString());
        o.put("uptimeSeconds", Duration.between(started, now).toSeconds());
        o.put("destination", sources.destination());
        o.put("relay", sources.queue() != null);
        o.put("maildir", sources.maildir() != null);
        o.put("activeConnections", smtp.activeConnections());
        o.put("maxConnections", config.maxConnections());
        ArrayNode listeners = o.putArray("listeners");
        for (Listener l : config.listeners()) {
            ObjectNode j = listeners.addObject();
            j.put("address", hostPort(l.host(), l.port()));
            j.put("protocol", l.lmtp() ? "LMTP" : "SMTP");
            j.put("tls", l.implicitTls() ? "implicit TLS"
                    : config.offersStartTls() ? "STARTTLS " + config.startTls().name().toLowerCase(Locale.ROOT) : "none");
            j.put("proxy", l.proxyProtocol() == ProxyProtocolMode.OFF ? "off"
                    : l.proxyProtocol().name().toLowerCase(Locale.ROOT) + " from " + l.trustedProxies());
            j.put("auth", config.auth().enabled()
                    ? String.join(" ", config.auth().mechanisms().stream().map(m -> m.wireName()).toList())
                    + (config.auth().required() ? " (required)" : "")
                    : "none");
        }
        ArrayNode bound = o.putArray("bound");
        for (InetSocketAddress a : smtp.boundAddresses()) {
            bound.add(hostPort(a.getHostString(), a.getPort()));
        }
        o.put("xclientHosts", config.xclientHosts().toString());
        o.put("actions", true);
        return o;
    }

    private ArrayNode sessions() {
        ArrayNode array = QueueJson.MAPPER.createArrayNode();
        Instant now = Instant.now();
        smtp.openSessions().stream().sorted(java.util.Comparator.comparing(SmtpSession::connectedAt)).forEach(s -> {
            ObjectNode j = array.addObject();
            j.put("id", s.id());
            j.put("client", address(s.remoteAddress()));
            j.put("clientName", s.remoteHostName().orElse(null));
            j.put("proxy", s.isProxied() ? address(s.socketRemoteAddress()) : null);
            j.put("helo", s.heloName());
            j.put("tls", s.tls().map(t -> t.protocol() + " " + t.cipherSuite()).orElse(s.isSecure() ? "yes" : null));
            j.put("user", s.authenticatedUser().orElse(null));
            j.put("connected", s.connectedAt().toString());
            j.put("ageSeconds", Math.max(0, Duration.between(s.connectedAt(), now).toSeconds()));
            j.put("messages", s.messageCount());
            var envelope = s.envelope();
            String state;
            if (envelope != null) {
                state = "MAIL FROM:<" + envelope.reversePath().address() + ">, " + envelope.recipients().size() + " RCPT";
            } else if (s.heloName() == null) {
                state = "connected";
            } else {
                state = "idle after " + (s.isEsmtp() ? "EHLO" : "HELO");
            }
            j.put("state", state);
        });
        return array;
    }

    private static String address(InetSocketAddress a) {
        return a == null ? null : hostPort(a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress(), a.getPort());
    }

    private static String hostPort(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    private static Map<String, String> query(HttpExchange exchange) {
        Map<String, String> q = new HashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return q;
        }
        if (raw.length() > 2048) {
            throw new IllegalArgumentException("query too long");
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (!value.isEmpty()) {
                q.put(name, value);
            }
        }
        return q;
    }

    private static int limit(String value) {
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new IllegalArgumentException("limit must be a positive number: " + value);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static String version() {
        try (InputStream in = AdminApi.class.getResourceAsStream("/META-INF/maven/dev.postern/postern-server/pom.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version", "unknown");
            }
        } catch (IOException e) {
            // a development build has no packaged properties
        }
        return "development build";
    }

    private static void error(HttpExchange exchange, int status, String reason) throws IOException {
        json(exchange, status, QueueJson.MAPPER.createObjectNode().put("error", reason));
    }

    private static void json(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes;
        try {
            bytes = QueueJson.MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IOException(e);
        }
        send(exchange, status, JSON, bytes);
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        Headers headers = exchange.getResponseHeaders();
        security(headers);
        headers.set("Content-Type", contentType);
        if (exchange.getRequestMethod().equals("HEAD") || body.length == 0) {
            if (body.length > 0) {
                headers.set("Content-Length", Integer.toString(body.length));
            }
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    private static void security(Headers headers) {
        headers.set("Content-Security-Policy", CSP);
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("Referrer-Policy", "no-referrer");
        headers.set("X-Frame-Options", "DENY");
        headers.set("Cross-Origin-Resource-Policy", "same-origin");
        headers.set("Cache-Control", "no-store");
    }
}
