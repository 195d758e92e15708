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
 *
 * <p>{@code lmtp}: the listener speaks LMTP (RFC 2033) instead of SMTP, for a mail system that hands its
 * final deliveries over (Postfix's {@code lmtp:} transport, Exim's {@code lmtp} transport, Postern's relay):
 * {@code LHLO} instead of {@code EHLO} (which, with {@code HELO}, is answered 500), and after a message's
 * content one reply per accepted recipient, in RCPT order, decided by
 * {@link SmtpHandler#onLmtpMessage}. Everything else (PROXY, TLS, AUTH, limits, BDAT) is as on an SMTP
 * listener. LMTP is meant for a local or trusted network, never for port 25.
 *
 * @param host           an IP literal, a host name (resolved once, at start), {@code "*"} or {@code "localhost"}
 * @param port           the TCP port, 0..65535; 0 for a free port chosen by the OS
 * @param proxyProtocol  whether a PROXY header is read from {@code trustedProxies}; {@link ProxyProtocolMode#OFF}
 *                       unless set
 * @param trustedProxies the peers whose PROXY header is believed; must trust someone unless
 *                       {@code proxyProtocol} is OFF
 * @param implicitTls    whether connections speak TLS from the first byte (RFC 8314) rather than
 *                       being offered STARTTLS
 * @param name           the listener's name ({@link #withName}), in its log lines and its sessions'
 *                       {@link SmtpSession#listener()} (Halon's {@code serverid}); null when unnamed
 * @param lmtp           whether the listener speaks LMTP (RFC 2033) rather than SMTP ({@link #withLmtp})
 */
public record Listener(String host, int port, ProxyProtocolMode proxyProtocol, TrustedSources trustedProxies,
                       boolean implicitTls, String name, boolean lmtp) {

    /**
     * An SMTP listener (not LMTP), as in earlier releases.
     *
     * @param host           an IP literal, a host name, {@code "*"} or {@code "localhost"}
     * @param port           the TCP port, 0..65535; 0 for a free port chosen by the OS
     * @param proxyProtocol  whether a PROXY header is read from {@code trustedProxies}
     * @param trustedProxies the peers whose PROXY header is believed
     * @param implicitTls    whether connections speak TLS from the first byte (RFC 8314)
     * @param name           the listener's name, or null
     * @throws IllegalArgumentException as the canonical constructor
     * @throws NullPointerException     as the canonical constructor
     */
    public Listener(String host, int port, ProxyProtocolMode proxyProtocol, TrustedSources trustedProxies,
                    boolean implicitTls, String name) {
        this(host, port, proxyProtocol, trustedProxies, implicitTls, name, false);
    }

    /**
     * An unnamed listener, as in earlier releases.
     *
     * @param host           an IP literal, a host name, {@code "*"} or {@code "localhost"}
     * @param port           the TCP port, 0..65535; 0 for a free port chosen by the OS
     * @param proxyProtocol  whether a PROXY header is read from {@code trustedProxies}
     * @param trustedProxies the peers whose PROXY header is believed
     * @param implicitTls    whether connections speak TLS from the first byte (RFC 8314)
     * @throws IllegalArgumentException as the canonical constructor
     * @throws NullPointerException     as the canonical constructor
     */
    public Listener(String host, int port, ProxyProtocolMode proxyProtocol, TrustedSources trustedProxies,
                    boolean implicitTls) {
        this(host, port, proxyProtocol, trustedProxies, implicitTls, null);
    }

    /**
     * A plain listener: no PROXY header, no implicit TLS.
     *
     * @param host an IP literal, a host name, {@code "*"} or {@code "localhost"}
     * @param port the TCP port, 0..65535; 0 for a free port chosen by the OS
     * @throws IllegalArgumentException if {@code host} is blank or {@code port} is out of range
     * @throws NullPointerException     if {@code host} is null
     */
    public Listener(String host, int port) {
        this(host, port, ProxyProtocolMode.OFF, TrustedSources.NONE, false);
    }

    /**
     * A listener reading PROXY headers from trusted proxies, without implicit TLS.
     *
     * @param host           an IP literal, a host name, {@code "*"} or {@code "localhost"}
     * @param port           the TCP port, 0..65535; 0 for a free port chosen by the OS
     * @param proxyProtocol  whether a PROXY header is read from {@code trustedProxies}
     * @param trustedProxies the peers whose PROXY header is believed
     * @throws IllegalArgumentException if {@code host} is blank, {@code port} is out of range, or
     *                                  headers are to be read but no proxy is trusted
     * @throws NullPointerException     if any argument is null
     */
    public Listener(String host, int port, ProxyProtocolMode proxyProtocol, TrustedSources trustedProxies) {
        this(host, port, proxyProtocol, trustedProxies, false);
    }

    /**
     * Validates the listener.
     *
     * @throws IllegalArgumentException if {@code host} is blank, {@code port} is out of range,
     *                                  {@code proxyProtocol} is not OFF but {@code trustedProxies} trusts no one,
     *                                  or {@code name} is blank or holds a space or control character
     * @throws NullPointerException     if {@code host}, {@code proxyProtocol} or {@code trustedProxies} is null
     */
    public Listener {
        if (name != null && (name.isBlank() || name.chars().anyMatch(c -> c <= ' ' || c == 0x7f))) {
            throw new IllegalArgumentException("listener name must be non-empty, without spaces or controls: '" + name + "'");
        }
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

    /**
     * A plain listener, as {@link #Listener(String, int)}.
     *
     * @param host an IP literal, a host name, {@code "*"} or {@code "localhost"}
     * @param port the TCP port, 0..65535; 0 for a free port chosen by the OS
     * @return the listener
     * @throws IllegalArgumentException if {@code host} is blank or {@code port} is out of range
     */
    public static Listener of(String host, int port) {
        return new Listener(host, port);
    }

    /**
     * The same listener reading PROXY headers ({@code optional} or {@code required}) from {@code trusted} sources.
     *
     * @param mode    whether a header is optional or required (OFF turns PROXY off again)
     * @param trusted the peers whose header is believed; every other peer is a direct client
     * @return a new listener
     * @throws IllegalArgumentException if {@code mode} is not OFF and {@code trusted} trusts no one
     */
    public Listener withProxyProtocol(ProxyProtocolMode mode, TrustedSources trusted) {
        return new Listener(host, port, mode, trusted, implicitTls, name, lmtp);
    }

    /**
     * The same listener with a name, for log lines and {@link SmtpSession#listener()} (Halon's
     * {@code serverid}), e.g. {@code "submission"}.
     *
     * @param name a non-empty name without spaces or control characters
     * @return a new listener
     * @throws IllegalArgumentException if {@code name} is blank or holds a space or control character
     * @throws NullPointerException     if {@code name} is null
     */
    public Listener withName(String name) {
        return new Listener(host, port, proxyProtocol, trustedProxies, implicitTls, Objects.requireNonNull(name, "name"), lmtp);
    }

    /**
     * The same listener speaking TLS from the first byte (RFC 8314 implicit TLS).
     *
     * @return a new listener; building the configuration fails unless {@link SmtpServerConfig#tls()} is set
     */
    public Listener withImplicitTls() {
        return new Listener(host, port, proxyProtocol, trustedProxies, true, name, lmtp);
    }

    /**
     * The same listener speaking LMTP (RFC 2033) or, with false, SMTP.
     *
     * @param lmtp true for LMTP
     * @return a new listener
     */
    public Listener withLmtp(boolean lmtp) {
        return new Listener(host, port, proxyProtocol, trustedProxies, implicitTls, name, lmtp);
    }

    /**
     * Parses {@code HOST:PORT}, {@code [IPv6]:PORT}, {@code *:PORT} or {@code :PORT} (every interface).
     *
     * @param text the address, e.g. {@code 0.0.0.0:25} or {@code [::1]:587}
     * @return a plain listener
     * @throws IllegalArgumentException if there is no port, an IPv6 address is not in brackets, or the
     *                                  port is not a number in 0..65535
     * @throws NullPointerException     if {@code text} is null
     */
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
        String address = (name == null ? "" : name + " ") + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port
                + (implicitTls ? " (TLS)" : "") + (lmtp ? " (LMTP)" : "");
        return proxyProtocol == ProxyProtocolMode.OFF ? address
                : address + " (PROXY " + proxyProtocol.name().toLowerCase(java.util.Locale.ROOT) + " from " + trustedProxies + ")";
    }
}
