package dev.postern;

import dev.postern.proxy.ProxyInfo;
import dev.postern.tls.TlsInfo;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What every hook sees of one SMTP connection. Reads are cheap and never block. A session is used by
 * one thread at a time (hooks of one session run in order), so hooks need no locking to use it.
 *
 * <p>{@link #remoteAddress()} is the real client: when the connection came through a trusted proxy
 * (PROXY protocol or XCLIENT), it is the address the proxy reported, and
 * {@link #socketRemoteAddress()} is the proxy's own.
 */
public interface SmtpSession {

    /** A unique, log-friendly id, e.g. {@code 4F1K2Q0-3}; printed in every log line of the session. */
    String id();

    /** The server's address this session reached: the proxy's destination address when proxied. */
    InetSocketAddress localAddress();

    /** The real client's address (after PROXY / XCLIENT). */
    InetSocketAddress remoteAddress();

    /** The peer of the TCP connection itself: the proxy when proxied, else the client. */
    InetSocketAddress socketRemoteAddress();

    /** The server's own socket address of the TCP connection. */
    InetSocketAddress socketLocalAddress();

    /** The client's reverse DNS name, when the lookup is enabled and answered in time. */
    Optional<String> remoteHostName();

    Instant connectedAt();

    /** The name given in HELO / EHLO, or null before it. */
    String heloName();

    /** Whether the client said EHLO (rather than HELO). */
    boolean isEsmtp();

    /** The current transaction's envelope, or null when no MAIL command was accepted. */
    Envelope envelope();

    /** Number of error replies (4xx / 5xx) sent in this session so far. */
    int errorCount();

    /** Number of unknown commands received so far. */
    int unknownCommandCount();

    /** Number of messages accepted in this session so far. */
    int messageCount();

    /** Whether the connection is protected by TLS (STARTTLS or implicit TLS). */
    boolean isSecure();

    /**
     * The TLS layer (version, cipher, client certificate, SNI name) once its handshake is done; empty on
     * a plain connection. TLS that a proxy terminated in front of the server shows in {@link #proxy()}
     * (the SSL TLV) instead.
     */
    default Optional<TlsInfo> tls() {
        return Optional.empty();
    }

    /** The authenticated identity, when the client completed AUTH. */
    Optional<String> authenticatedUser();

    /** Whether this connection came through a trusted proxy (PROXY protocol or XCLIENT). */
    boolean isProxied();

    /** The PROXY protocol header of this connection, if a trusted proxy sent one. */
    default Optional<ProxyInfo> proxy() {
        return Optional.empty();
    }

    /**
     * What an SMTP-level proxy told with XFORWARD (Postfix semantics), attribute name to value
     * ({@code NAME}, {@code ADDR}, {@code PORT}, {@code PROTO}, {@code HELO}, {@code IDENT}, {@code SOURCE});
     * empty when none was sent. An attribute sent as {@code [UNAVAILABLE]} maps to the empty string.
     */
    default Map<String, String> xforward() {
        return Map.of();
    }

    /** A per-session map for the application's own state; hooks of one session share it. */
    Map<String, Object> attributes();

    /** The text of the 220 greeting (without code). May be changed in {@code onConnect}. */
    String greeting();

    void setGreeting(String text);

    /** The text of the first line of the 250 reply to EHLO / HELO. May be changed in {@code onConnect} or {@code onHelo}. */
    String heloResponse();

    void setHeloResponse(String text);
}
