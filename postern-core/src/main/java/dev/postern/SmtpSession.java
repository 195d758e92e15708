package dev.postern;

import dev.postern.auth.Authentication;
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

    /**
     * A unique, log-friendly id; printed in every log line of the session.
     *
     * @return the id, e.g. {@code HBC3QWVIMB}: base-36, increasing, unique on this host across restarts
     */
    String id();

    /**
     * The server's address this session reached: the proxy's destination address when proxied.
     *
     * @return the address the client connected to
     */
    InetSocketAddress localAddress();

    /**
     * The real client's address (after PROXY / XCLIENT).
     *
     * @return the address every limit, trust decision and log line uses for the client
     */
    InetSocketAddress remoteAddress();

    /**
     * The peer of the TCP connection itself: the proxy when proxied, else the client.
     *
     * @return the socket's remote address
     */
    InetSocketAddress socketRemoteAddress();

    /**
     * The server's own socket address of the TCP connection.
     *
     * @return the socket's local address, whatever a proxy reported
     */
    InetSocketAddress socketLocalAddress();

    /**
     * The client's reverse DNS name, when the lookup is enabled and answered in time.
     *
     * @return the name, confirmed by a forward lookup (or as given by XCLIENT NAME); empty when the
     *         lookup is off ({@link SmtpServerConfig#reverseDnsLookup()}), failed or timed out
     */
    Optional<String> remoteHostName();

    /**
     * The client's host name for a Received field or a log line, as nodemailer's {@code clientHostname}:
     * {@link #remoteHostName()} when known, else the real client's address as an RFC 5321 4.1.3 address
     * literal.
     *
     * @return e.g. {@code mail.example.org}, {@code [192.0.2.7]} or {@code [IPv6:2001:db8::7]}
     */
    default String clientHostname() {
        return remoteHostName().orElseGet(() -> {
            java.net.InetAddress a = remoteAddress().getAddress();
            if (a == null) {
                return "[" + remoteAddress().getHostString() + "]";
            }
            String text = a.getHostAddress();
            int zone = text.indexOf('%');
            if (zone >= 0) {
                text = text.substring(0, zone);
            }
            return a instanceof java.net.Inet6Address ? "[IPv6:" + text + "]" : "[" + text + "]";
        });
    }

    /**
     * Sets the client's host name, e.g. from {@link SmtpHandler#onProxy} with a resolver of the
     * application's own (MidiSmtpServer's Resolv example). A name set before the greeting spares the
     * server's own reverse lookup ({@link SmtpServerConfig#reverseDnsLookup()}).
     *
     * @param name the name, or null to forget it
     * @throws IllegalArgumentException if {@code name} is blank or holds a space or control character
     * @throws UnsupportedOperationException if this session cannot change it (the default)
     */
    default void setRemoteHostName(String name) {
        throw new UnsupportedOperationException("this session's host name cannot be changed");
    }

    /**
     * The listener the client connected to; its {@link Listener#name()} tells listeners apart (Halon's
     * {@code serverid}).
     *
     * @return the listener as configured; null only for a session the server did not make (a test's own)
     */
    default Listener listener() {
        return null;
    }

    /**
     * The name the server gives itself in this session.
     *
     * @return {@link SmtpServerConfig#hostname()}; null only for a session the server did not make
     */
    default String serverHostname() {
        return null;
    }

    /**
     * The id of the mail transaction in progress (Halon's {@code $transaction.id}): given when MAIL FROM
     * is received, so {@link SmtpHandler#onMailFrom} sees it already, and kept until the transaction
     * ends. The message the transaction delivers gets the same id ({@link ReceivedMessage#id()}, the
     * 250 reply's "queued as").
     *
     * @return the id, e.g. {@code HBC3QWVIMB.1} (session id, a dot, the transaction's number in the
     *         session), or empty outside a transaction
     */
    default Optional<String> transactionId() {
        return Optional.empty();
    }

    /**
     * When the TCP connection was accepted.
     *
     * @return that instant, from the server's clock
     */
    Instant connectedAt();

    /**
     * The name the client gave in HELO / EHLO.
     *
     * @return the name as sent (unverified); null before HELO / EHLO and again after STARTTLS (RFC 3207 4.2)
     */
    String heloName();

    /**
     * Whether the client said EHLO (rather than HELO).
     *
     * @return true after EHLO; false before it, after HELO, and after STARTTLS until the next EHLO
     */
    boolean isEsmtp();

    /**
     * The current transaction's envelope.
     *
     * @return a snapshot, or null outside a transaction (and so during {@code onMailFrom}); during
     *         {@code onRcptTo} it lists the recipients accepted before this one
     */
    Envelope envelope();

    /**
     * Number of error replies (4xx / 5xx) sent in this session so far.
     *
     * @return the count; at {@link SmtpServerConfig#maxErrors()} the server says 421 4.7.0 and closes
     */
    int errorCount();

    /**
     * Number of unknown commands received so far.
     *
     * @return the count, including the one {@link SmtpHandler#onUnknownCommand} is being called for
     */
    int unknownCommandCount();

    /**
     * Number of messages accepted in this session so far.
     *
     * @return the count of messages whose {@code onMessage} returned normally
     */
    int messageCount();

    /**
     * Whether the connection is protected by TLS (STARTTLS or implicit TLS).
     *
     * @return true once the handshake with this server is done; TLS a proxy terminated does not count
     */
    boolean isSecure();

    /**
     * The TLS layer (version, cipher, client certificate, SNI name) once its handshake is done; empty on
     * a plain connection. TLS that a proxy terminated in front of the server shows in {@link #proxy()}
     * (the SSL TLV) instead.
     *
     * @return the TLS details, or empty on a plain connection
     */
    default Optional<TlsInfo> tls() {
        return Optional.empty();
    }

    /**
     * The authenticated identity, when the client completed AUTH.
     *
     * @return what {@link SmtpHandler#onAuth} returned (the user name if it returned null), or an
     *         XCLIENT LOGIN; empty before AUTH and again after STARTTLS
     */
    Optional<String> authenticatedUser();

    /**
     * The completed AUTH of this session (Halon's {@code auth}, MidiSmtpServer's authentication and
     * authorization ids and time).
     *
     * @return the mechanism, the identities and when; empty before AUTH, again after STARTTLS, and for
     *         a login XCLIENT told (see {@link #authenticatedUser()})
     */
    default Optional<Authentication> authentication() {
        return Optional.empty();
    }

    /**
     * Whether this connection came through a trusted proxy (PROXY protocol or XCLIENT).
     *
     * @return true once a PROXY header named the client (not a LOCAL one) or XCLIENT was accepted
     */
    boolean isProxied();

    /**
     * The PROXY protocol header of this connection, if a trusted proxy sent one.
     *
     * @return the header as {@link SmtpHandler#onProxy} left it, or empty
     */
    default Optional<ProxyInfo> proxy() {
        return Optional.empty();
    }

    /**
     * What an SMTP-level proxy told with XFORWARD (Postfix semantics), attribute name to value
     * ({@code NAME}, {@code ADDR}, {@code PORT}, {@code PROTO}, {@code HELO}, {@code IDENT}, {@code SOURCE});
     * empty when none was sent. An attribute sent as {@code [UNAVAILABLE]} maps to the empty string.
     *
     * @return an unmodifiable map, cleared when a mail transaction ends
     */
    default Map<String, String> xforward() {
        return Map.of();
    }

    /**
     * A per-session map for the application's own state; hooks of one session share it.
     *
     * @return the same mutable, unsynchronized map on every call; gone with the session
     */
    Map<String, Object> attributes();

    /**
     * The text of the 220 greeting (without code). May be changed in {@code onConnect}.
     *
     * @return the text, initially {@link SmtpServerConfig#greeting()}
     */
    String greeting();

    /**
     * Replaces the greeting text; it counts only before the greeting is sent, i.e. in
     * {@code onConnect} (or earlier, in {@code onProxy} or an implicit-TLS {@code onSecure}).
     *
     * @param text the new text; CR and LF are removed
     * @throws NullPointerException if {@code text} is null
     */
    void setGreeting(String text);

    /**
     * The text of the first line of the 250 reply to EHLO / HELO. May be changed in {@code onConnect} or {@code onHelo}.
     *
     * @return the text, initially {@link SmtpServerConfig#hostname()}
     */
    String heloResponse();

    /**
     * Replaces the text of the first line of the next HELO / EHLO reply (the current one, in {@code onHelo}).
     *
     * @param text the new text; CR and LF are removed
     * @throws NullPointerException if {@code text} is null
     */
    void setHeloResponse(String text);
}
