package dev.postern;

import dev.postern.auth.Credentials;
import dev.postern.proxy.ProxyInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's say in every SMTP session. Every method has a default, so an implementation
 * overrides only what it needs. A hook rejects by throwing {@link SmtpRejection}:
 *
 * <pre>{@code
 * public ForwardPath onRcptTo(SmtpSession s, ForwardPath to, MailParameters p) {
 *     if (!users.contains(to.address())) throw SmtpRejection.of(550, "5.1.1", "No such user");
 *     return to;
 * }
 * }</pre>
 *
 * A rejection with code 421 (or built with {@code andClose()}) closes the connection. Any other
 * exception becomes {@code 451 4.3.0} inside a transaction and {@code 421 4.3.0} (closing) outside,
 * and is logged with the session id.
 *
 * <p><b>Threading.</b> Hooks of one session run one at a time, in order. Unless
 * {@link #isNonBlocking()} says otherwise, they run on virtual threads off the network event loop,
 * so they may block (database, DNS, disk); at most {@code maxProcessings} run at once across the
 * server, the rest wait. A handler that overrides no hook at all costs no thread hop.
 */
public interface SmtpHandler {

    /**
     * A client connected (after the PROXY header, if any). May change {@link SmtpSession#setGreeting} and
     * {@link SmtpSession#setHeloResponse}; a rejection (usually 554) is sent instead of the greeting and
     * the connection is closed.
     */
    default void onConnect(SmtpSession session) {
    }

    /**
     * A trusted proxy sent a valid PROXY header (before the greeting and before {@link #onConnect}).
     * Return the header to use (the given one, or an adjusted one, e.g. a corrected source), or throw to
     * refuse the connection: the rejection is sent and the connection closed. Afterwards every hook,
     * limit and log line sees {@code proxy.source()} as the client; the proxy stays
     * {@link SmtpSession#socketRemoteAddress()}.
     */
    default ProxyInfo onProxy(SmtpSession session, ProxyInfo proxy) {
        return proxy;
    }

    /**
     * The pre-command filter: called with each command line before the state machine sees it (not with
     * message content). Sees the connection and the transaction through {@code session}, and the
     * session's own context in {@link SmtpSession#attributes()}. Returning null passes. A thrown
     * {@link SmtpRejection} is the reply; any other exception gets {@code 421 4.3.0} and the connection
     * closes.
     */
    default CommandDecision onCommand(SmtpSession session, String commandLine) {
        return CommandDecision.PASS;
    }

    /**
     * The TLS handshake is done: on an implicit-TLS listener before {@link #onConnect}, after STARTTLS
     * before the client's new EHLO. {@link SmtpSession#tls()} has the version, cipher and client
     * certificate. A rejection is sent (over TLS) and the connection closed, e.g. for a client
     * certificate the application does not accept.
     */
    default void onSecure(SmtpSession session) {
    }

    /** The connection is closing, for any reason. Exceptions are logged and ignored. */
    default void onDisconnect(SmtpSession session) {
    }

    /**
     * AUTH (RFC 4954): checks what the client presented ({@link Credentials.Password} for PLAIN and
     * LOGIN, {@link Credentials.CramMd5} with its {@code verify(password)}, {@link Credentials.BearerToken}
     * for XOAUTH2). Returns the identity to record in {@link SmtpSession#authenticatedUser()} (null: the
     * user name), or throws {@link SmtpRejection}; the default refuses everyone with
     * {@code 535 5.7.8}. Any other exception answers {@code 454 4.7.0} (temporary failure). Failed
     * attempts count as errors toward {@code maxErrors}.
     */
    default String onAuth(SmtpSession session, Credentials credentials) {
        throw SmtpRejection.of(535, "5.7.8", "Authentication credentials invalid");
    }

    /** HELO or EHLO with the client's name. May change {@link SmtpSession#setHeloResponse}, or reject. */
    default void onHelo(SmtpSession session, String heloName) {
    }

    /** MAIL FROM. Returns the reverse path to use (the given one, or a rewritten one), or rejects. */
    default ReversePath onMailFrom(SmtpSession session, ReversePath from, MailParameters parameters) {
        return from;
    }

    /** RCPT TO. Returns the forward path to use (the given one, or a rewritten one), or rejects. */
    default ForwardPath onRcptTo(SmtpSession session, ForwardPath to, MailParameters parameters) {
        return to;
    }

    /**
     * DATA or the first BDAT was accepted, before any content: a good place to
     * {@link MessageHeaders#prepend} a Received field, or to reject (e.g. 554 5.7.1).
     */
    default void onDataStart(SmtpSession session, MessageHeaders headers) {
    }

    /**
     * The header block of the message is complete (the empty line arrived, or the content ended).
     * Inspect the fields, add some, or reject early: the reply is sent after the client has
     * finished sending the content, as SMTP requires.
     */
    default void onDataHeaders(SmtpSession session, MessageHeaders headers) {
    }

    /**
     * The whole message arrived. Returning normally means the application took responsibility for it
     * (the client gets 250): store it durably before returning. Throw to reject it.
     */
    default void onMessage(SmtpSession session, ReceivedMessage message) throws Exception {
    }

    /**
     * A command the server does not know. The default answers 500 5.5.2; throw a 421 rejection to
     * drop clients that send too many (see {@link SmtpSession#unknownCommandCount()}).
     */
    default void onUnknownCommand(SmtpSession session, String commandLine) {
        throw SmtpRejection.of(500, "5.5.2", "Command unrecognized");
    }

    /**
     * One log event of the session: connects, commands refused, messages accepted, errors. The default
     * writes it to SLF4J logger {@code dev.postern.session} with the session id in front.
     *
     * @param session the session, or null for server-wide events
     */
    default void onLogEvent(SmtpSession session, LogLevel level, String message, Throwable error) {
        DefaultLog.log(session, level, message, error);
    }

    /**
     * Whether every hook of this handler returns quickly without blocking. If true, hooks run on the
     * network event loop with no thread hop; never block in them then.
     */
    default boolean isNonBlocking() {
        return false;
    }

    /** The SLF4J sink behind the default {@link #onLogEvent}. */
    final class DefaultLog {
        private static final Logger LOG = LoggerFactory.getLogger("dev.postern.session");

        private DefaultLog() {
        }

        public static void log(SmtpSession session, LogLevel level, String message, Throwable error) {
            String id = session == null ? "-" : session.id();
            switch (level) {
                case DEBUG -> LOG.debug("[{}] {}", id, message, error);
                case INFO -> LOG.info("[{}] {}", id, message, error);
                case WARN -> LOG.warn("[{}] {}", id, message, error);
                case ERROR -> LOG.error("[{}] {}", id, message, error);
            }
        }
    }
}
