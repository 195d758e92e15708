package dev.postern;

import dev.postern.proxy.ProxyProtocolMode;
import dev.postern.proxy.TrustedSources;

import java.util.Objects;

/**
 * One address the server listens on. {@code host} is an IP literal, a name, {@code "*"} (every
 * interface, IPv4 and IPv6) or {@code "localhost"} (both 127.0.0.1 and ::1). Port 0 asks the OS for a
 * free port (see {@link SmtpServer#boundAddresses()}).
 *
 * <p>The PROXY protocol is set per listener: {@code proxyProtocol} says whether a header is read, and
 * only from connections whose source is in {@code trustedProxies}; every other connection is a direct
 * client, whatever it sends.
 *
 * <p>{@code implicitTls}: TLS from the first byte (RFC 8314, e.g. port 465), after the PROXY header if
 * one is read; the greeting is sent once the handshake is done. Needs {@link SmtpServerConfig#tls()}.
 */
public record Listener(String host, int port, ProxyProtocolMode proxyProtocol, TrustedSources trustedProxies,
                       boolean implicitTls) {

    public Listener(String host, int port) {
        this(host, port, ProxyProtocolMode.OFF, TrustedSources.NONE, false);
    }

    public Listener(String host, int port, ProxyProtocolMode proxyProtocol, TrustedSources trustedProxies) {
        this(host, port, proxyProtocol, trustedProxies, false);
    }

    public Listener {
        Objects.requireNonNull(proxyProtocol, "proxyProtocol");
        Objects.requireNonNull(trustedProxies, "trustedProxies");
        if (proxyProtocol != ProxyProtocolMode.OFF && trustedProxies.ranges().isEmpty() && !trustedProxies.isWildcard()) {
            throw new IllegalArgumentException("listener " + host + ":" + port
                    + " reads PROXY headers but trusts no proxy: give trusted proxy addresses");
        }
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("listener host must not be blank");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("listener port out of range: " + port);
        }
    }

    public static Listener of(String host, int port) {
        return new Listener(host, port);
    }

    /** The same listener reading PROXY headers ({@code optional} or {@code required}) from {@code trusted} sources. */
    public Listener withProxyProtocol(ProxyProtocolMode mode, TrustedSources trusted) {
        return new Listener(host, port, mode, trusted, implicitTls);
    }

    /** The same listener speaking TLS from the first byte (RFC 8314 implicit TLS). */
    public Listener withImplicitTls() {
        return new Listener(host, port, proxyProtocol, trustedProxies, true);
    }

    /** Parses {@code HOST:PORT}, {@code [IPv6]:PORT}, {@code *:PORT} or {@code :PORT} (every interface). */
    public static Listener parse(String text) {
        Objects.requireNonNull(text, "text");
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("listen address must be HOST:PORT: " + text);
        }
        String host = text.substring(0, colon);
        String portText = text.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new IllegalArgumentException("write IPv6 listen addresses as [ADDR]:PORT: " + text);
        }
        if (host.isEmpty()) {
            host = "*";
        }
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in listen address: " + text, e);
        }
        return new Listener(host, port);
    }

    @Override
    public String toString() {
        String address = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port + (implicitTls ? " (TLS)" : "");
        return proxyProtocol == ProxyProtocolMode.OFF ? address
                : address + " (PROXY " + proxyProtocol.name().toLowerCase(java.util.Locale.ROOT) + " from " + trustedProxies + ")";
    }
}
