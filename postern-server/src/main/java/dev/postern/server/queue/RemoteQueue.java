package dev.postern.server.queue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.postern.server.admin.AdminToken;
import dev.postern.server.admin.QueueFilter;
import dev.postern.server.admin.QueueJson;
import dev.postern.server.admin.QueueOperations;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * A running server's queue, through its admin API ({@code --admin} on its {@code --http-listen}), so that
 * the server's queue manager makes each change and sees it at once. Actions carry the token.
 */
final class RemoteQueue implements QueueClient {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final URI base;
    private final AdminToken token;
    private final HttpClient http;

    /**
     * @param server the endpoint, {@code http://HOST:PORT}
     * @param token  the admin token, or null (then only the views work)
     */
    RemoteQueue(URI server, AdminToken token) {
        String s = server.toString();
        this.base = URI.create((s.endsWith("/") ? s : s + "/") + "admin/api/");
        this.token = token;
        this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /**
     * @param value a --server value
     * @return it as an http URL with a host
     * @throws IllegalArgumentException when it is not one
     */
    static URI checkServer(String value) {
        URI uri;
        try {
            uri = URI.create(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--server " + value + " is not a URL: " + e.getMessage());
        }
        if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null || uri.getRawQuery() != null) {
            throw new IllegalArgumentException("--server takes http://HOST:PORT, the server's --http-listen address: " + value);
        }
        return uri;
    }

    @Override
    public JsonNode list(QueueFilter filter) throws IOException {
        StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
        if (filter.sender() != null) {
            query.add("sender=" + encode(filter.sender().isEmpty() ? "<>" : filter.sender()));
        }
        if (filter.domain() != null) {
            query.add("domain=" + encode(filter.domain()));
        }
        if (filter.state() != null) {
            query.add("state=" + encode(filter.state()));
        }
        return json(send(get("queue" + query))).orElseThrow(() -> new Unusable("the server has no relay queue"));
    }

    @Override
    public Optional<JsonNode> show(String id) throws IOException {
        return json(send(get("queue/" + encode(QueueOperations.checkId(id)))));
    }

    @Override
    public Optional<byte[]> raw(String id) throws IOException {
        HttpResponse<byte[]> r = send(get("queue/" + encode(QueueOperations.checkId(id)) + "/raw"));
        return r.statusCode() == 404 ? Optional.empty() : Optional.of(r.body());
    }

    @Override
    public Optional<JsonNode> act(String id, QueueOperations.Action action) throws IOException {
        return json(send(post("queue/" + encode(QueueOperations.checkId(id)) + "/" + action.word())));
    }

    @Override
    public JsonNode act(String domain, QueueOperations.DomainAction action) throws IOException {
        return json(send(post("domain/" + encode(QueueOperations.checkDomain(domain)) + "/" + action.word())))
                .orElseThrow(() -> new Unusable("the server has no relay queue"));
    }

    @Override
    public JsonNode act(QueueOperations.BulkAction action) throws IOException {
        return json(send(post("bulk/" + action.word()))).orElseThrow(() -> new Unusable("the server has no relay queue"));
    }

    @Override
    public void close() {
        http.close();
    }

    private HttpRequest get(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(REQUEST_TIMEOUT).header("Accept", "application/json").GET().build();
    }

    private HttpRequest post(String path) throws Unusable {
        if (token == null) {
            throw new Unusable("an action needs the admin token: give --admin-token-file FILE");
        }
        return HttpRequest.newBuilder(base.resolve(path)).timeout(REQUEST_TIMEOUT).header("Accept", "application/json")
                .header("X-Postern-Token", token.value()).POST(HttpRequest.BodyPublishers.noBody()).build();
    }

    private HttpResponse<byte[]> send(HttpRequest request) throws IOException {
        HttpResponse<byte[]> r;
        try {
            r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException e) {
            throw new Unusable("cannot connect to " + request.uri().getHost() + ":" + request.uri().getPort()
                    + ": is the server running with --http-listen and --admin?", e);
        } catch (HttpTimeoutException e) {
            throw new Unusable("no answer from " + request.uri() + " within " + REQUEST_TIMEOUT.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        int status = r.statusCode();
        if (status == 200 || isNoSuchMessage(r)) {
            return r;
        }
        String reason = error(r.body());
        if (status == 400) {
            throw new IllegalArgumentException(reason);
        }
        if (status == 404 && r.headers().firstValue("Content-Type").orElse("").startsWith("application/json")) {
            throw new Unusable(reason);
        }
        if (status == 404) {
            throw new Unusable("the server at " + base.resolve("/") + " has no admin API: start it with --admin");
        }
        throw new Unusable("the server refused: " + status + " " + reason);
    }

    /** A 404 that the API gives for a queue id it does not hold, rather than for a path it does not serve. */
    private static boolean isNoSuchMessage(HttpResponse<byte[]> r) {
        return r.statusCode() == 404 && error(r.body()).startsWith("no such message");
    }

    private static Optional<JsonNode> json(HttpResponse<byte[]> r) throws IOException {
        if (r.statusCode() == 404) {
            return Optional.empty();
        }
        try {
            return Optional.of(QueueJson.MAPPER.readTree(r.body()));
        } catch (JsonProcessingException e) {
            throw new IOException("the server's answer is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static String error(byte[] body) {
        try {
            JsonNode node = QueueJson.MAPPER.readTree(body);
            return node != null && node.hasNonNull("error") ? node.get("error").asText() : new String(body, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return new String(body, StandardCharsets.UTF_8).strip();
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
