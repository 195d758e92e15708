package dev.postern.relay.client;

import dev.postern.relay.socks.SocksProxyParser;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One SOCKS5 proxy (RFC 1928) of an outbound connection, with the options of an Exim {@code socks_proxy}
 * entry. Proxies are tried by priority (higher first), and within a priority in random order weighted by
 * {@code weight}, until one connects; {@link #parseList} reads Exim's syntax.
 *
 * @param address  the proxy's IP address (no name lookup, as in Exim)
 * @param port     its port (Exim's {@code port}, default 1080)
 * @param auth     {@link Auth#NONE} or {@link Auth#NAME}, RFC 1929 username/password (Exim's {@code auth})
 * @param name     the RFC 1929 username, empty unless {@code auth} is {@link Auth#NAME}
 * @param pass     the RFC 1929 password, empty unless {@code auth} is {@link Auth#NAME}
 * @param timeout  the bound of one attempt through this proxy: TCP connect, method, authentication and
 *                 CONNECT together (Exim's {@code tmo}, default 5 s)
 * @param priority higher is tried first (Exim's {@code pri}, default 1)
 * @param weight   the selection bias within a priority (Exim's {@code weight}, default 1); 0 is never chosen
 */
public record SocksProxy(String address, int port, Auth auth, String name, String pass, Duration timeout,
                         int priority, int weight) {

    /** Exim's default {@code port}. */
    public static final int DEFAULT_PORT = 1080;
    /** Exim's default {@code tmo}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    /** Exim's default {@code pri}. */
    public static final int DEFAULT_PRIORITY = 1;
    /** Exim's default {@code weight}. */
    public static final int DEFAULT_WEIGHT = 1;

    /** How the client authenticates to the proxy. */
    public enum Auth {
        /** No authentication (method 0). */
        NONE,
        /** RFC 1929 username and password (method 2). */
        NAME
    }

    /** Validates. */
    public SocksProxy {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(pass, "pass");
        Objects.requireNonNull(timeout, "timeout");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("SOCKS proxy port must be 1 to 65535: " + port);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("SOCKS proxy timeout must be positive: " + timeout);
        }
        if (priority < 0 || weight < 0) {
            throw new IllegalArgumentException("SOCKS proxy priority and weight must not be negative");
        }
        if (auth == Auth.NAME && name.isEmpty()) {
            throw new IllegalArgumentException("SOCKS proxy " + address + ": auth=name needs a name=");
        }
        if (auth == Auth.NONE && !(name.isEmpty() && pass.isEmpty())) {
            throw new IllegalArgumentException("SOCKS proxy " + address + ": name= and pass= are used only with auth=name");
        }
        // RFC 1929 2: ULEN and PLEN are one octet each.
        if (name.getBytes(StandardCharsets.UTF_8).length > 255 || pass.getBytes(StandardCharsets.UTF_8).length > 255) {
            throw new IllegalArgumentException("SOCKS proxy " + address + ": name and pass are at most 255 octets (RFC 1929)");
        }
    }

    /**
     * A proxy without authentication and with Exim's defaults.
     *
     * @param address the proxy's IP address
     * @param port    its port
     * @return the proxy
     */
    public static SocksProxy of(String address, int port) {
        return new SocksProxy(address, port, Auth.NONE, "", "", DEFAULT_TIMEOUT, DEFAULT_PRIORITY, DEFAULT_WEIGHT);
    }

    /**
     * Parses an Exim {@code socks_proxy} value: entries separated by colons ({@code ::} is a literal colon,
     * and a leading {@code <;} makes {@code ;} the separator, as IPv6 addresses need), each an IP address
     * followed by space-separated options {@code auth=none|name}, {@code name=}, {@code pass=},
     * {@code port=}, {@code tmo=} (seconds), {@code pri=}, {@code weight=}. Example:
     * {@code 192.0.2.1 port=1080 pri=2 : 192.0.2.2 auth=name name=relay pass=secret}.
     *
     * @param list the option's value
     * @return the proxies in list order
     * @throws IllegalArgumentException naming the entry and what is wrong with it
     */
    public static List<SocksProxy> parseList(String list) {
        return SocksProxyParser.parse(list);
    }

    /** @return Exim's log item for this proxy, {@code PRX=[address]:port} */
    public String logItem() {
        return "PRX=[" + address + "]:" + port;
    }

    /** @return the proxy without its password */
    @Override
    public String toString() {
        return "[" + address + "]:" + port + (auth == Auth.NAME ? " auth=name name=" + name : "")
                + " tmo=" + timeout.toSeconds() + " pri=" + priority + " weight=" + weight;
    }
}
