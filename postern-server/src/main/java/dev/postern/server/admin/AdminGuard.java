package dev.postern.server.admin;

import com.sun.net.httpserver.HttpExchange;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Locale;

/**
 * Who may use the admin page and API, in one place:
 * <ul>
 * <li>only loopback clients, unless {@code --admin-remote};
 * <li>only requests whose {@code Host} is an IP literal, {@code localhost} or the endpoint's configured host,
 *     so that a web page whose name an attacker points at 127.0.0.1 (DNS rebinding) cannot read the page
 *     from a browser on this machine;
 * <li>an action (POST) only with the token in {@code X-Postern-Token}, compared in constant time; a browser
 *     sends that custom header to another origin only after a CORS preflight, which this server never
 *     grants, and the action is refused anyway when {@code Origin} names another origin or
 *     {@code Sec-Fetch-Site} says the request comes from another site. No cookie is ever set or read, so a
 *     forged request has nothing to ride on.
 * </ul>
 */
final class AdminGuard {

    /** The request header an action's token comes in. */
    static final String TOKEN_HEADER = "X-Postern-Token";

    /** Why a request is refused: its HTTP status and a one-line reason; null fields mean allowed. */
    record Refusal(int status, String reason) {
    }

    private final AdminSettings settings;
    private final String listenHost;

    /**
     * @param settings   the admin settings
     * @param listenHost the host of --http-listen as configured, also accepted in {@code Host}
     */
    AdminGuard(AdminSettings settings, String listenHost) {
        this.settings = settings;
        this.listenHost = listenHost.toLowerCase(Locale.ROOT);
    }

    /** @return why {@code exchange} may not see anything, or null when it may */
    Refusal view(HttpExchange exchange) {
        InetSocketAddress peer = exchange.getRemoteAddress();
        InetAddress address = peer == null ? null : peer.getAddress();
        if (!settings.allowRemote() && (address == null || !address.isLoopbackAddress())) {
            return new Refusal(403, "the admin page answers loopback clients only (see --admin-remote)");
        }
        String host = exchange.getRequestHeaders().getFirst("Host");
        if (host == null || !allowedHost(hostPart(host))) {
            return new Refusal(403, "unexpected Host header: use the endpoint's address");
        }
        return null;
    }

    /** @return why {@code exchange} may not act, or null when it may; after {@link #view} */
    Refusal act(HttpExchange exchange) {
        var headers = exchange.getRequestHeaders();
        String site = headers.getFirst("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin") && !site.equals("none")) {
            return new Refusal(403, "cross-site request refused");
        }
        String origin = headers.getFirst("Origin");
        String host = headers.getFirst("Host");
        // https too: the page may be reached through a TLS proxy in front of the endpoint (--admin-remote)
        if (origin != null && !origin.equalsIgnoreCase("http://" + host) && !origin.equalsIgnoreCase("https://" + host)) {
            return new Refusal(403, "cross-origin request refused");
        }
        if (settings.token() == null) {
            return new Refusal(403, "actions are off: the server was started without --admin-token-file");
        }
        if (!settings.token().matches(headers.getFirst(TOKEN_HEADER))) {
            return new Refusal(401, "missing or wrong admin token (" + TOKEN_HEADER + ")");
        }
        return null;
    }

    private boolean allowedHost(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.equals("localhost") || h.equals(listenHost)) {
            return true;
        }
        if (h.startsWith("[") && h.endsWith("]")) {
            return h.length() > 2 && h.substring(1, h.length() - 1).matches("[0-9a-f:.]+");
        }
        return h.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }

    /** {@code Host} without its port. */
    private static String hostPart(String host) {
        String h = host.strip();
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? h : h.substring(0, end + 1);
        }
        int colon = h.lastIndexOf(':');
        return colon < 0 ? h : h.substring(0, colon);
    }
}
