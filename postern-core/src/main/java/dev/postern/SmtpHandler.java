package dev.postern;

import dev.postern.auth.Credentials;
import dev.postern.proxy.ProxyInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

import java.net.InetSocketAddress;

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
 * <h2>Outcomes</h2>
 * One rule decides what a hook's outcome does; each hook's documentation applies it.
 * <ul>
 * <li><b>Returning normally</b> accepts: the command goes on. Where a hook returns a value
 *     ({@link #onProxy}, {@link #onMailFrom}, {@link #onRcptTo}, {@link #onAuth}, {@link #onCommand}),
 *     a non-null value replaces the input and null means unchanged (for {@code onCommand}: pass).
 *     {@code onCommand} may also return a {@link CommandDecision}: pass, rewrite the line, or reply
 *     (and close) without the state machine seeing the command.</li>
 * <li><b>Throwing {@link SmtpRejection}</b> sends its reply instead, and closes the connection when
 *     the reply says so (code 421, or {@link SmtpReply#andClose()}); it is logged at INFO.</li>
 * <li><b>Throwing any other exception</b> is a local problem, not the client's: it is logged at
 *     ERROR with the session id and counted in {@link ServerMetrics.Counter#HOOK_FAILURES}. The client
 *     gets {@code 451 4.3.0} inside a mail transaction ({@link #onMailFrom} through
 *     {@link #onMessage}; the session goes on) and {@code 421 4.3.0}, with the connection closed,
 *     outside one.</li>
 * </ul>
 * Every 4xx and 5xx reply counts toward {@link SmtpServerConfig#maxErrors()}. Where a hook departs
 * from the rule, its documentation says so: the connection-level hooks ({@link #onProxy},
 * {@link #onConnect}, {@link #onSecure}) close the connection after any rejection; {@link #onCommand}
 * does not log rejections and answers any other exception with 421, even in a transaction;
 * {@link #onAuth} answers other exceptions with {@code 454 4.7.0} and goes on; returning normally
 * from {@link #onUnknownCommand} still answers 500; failures of {@link #onDisconnect} and
 * {@link #onLogEvent} are only logged or ignored. An {@link Error} (such as {@link OutOfMemoryError})
 * is outside the rule: the client gets no reply and the session is abandoned.
 *
 * <h2>Threading</h2>
 * One handler serves every session, so hooks run concurrently for different sessions and state
 * shared between sessions must be thread-safe. Hooks of one session run one at a time, in order, and
 * see each other's writes; successive hooks may run on different threads, so keep per-session state
 * in {@link SmtpSession#attributes()}, not in thread-locals.
 * <p>Unless {@link #isNonBlocking()} says otherwise, hooks run on virtual threads off the network
 * event loop, so they may block (database, DNS, disk); at most
 * {@link SmtpServerConfig#maxProcessings() maxProcessings} sessions run hooks at once across the
 * server, the rest wait. A hook still running 2 seconds after a timeout, or after the grace of
 * {@link SmtpServer#stop} ran out, has its thread interrupted and its connection closed. When
 * {@code isNonBlocking()} returns true, or the handler overrides no method at all, hooks run on the
 * event loop with no thread hop and must never block. {@link #onLogEvent} alone is also called from
 * the event loop and other server threads.
 */
public interface SmtpHandler {

    /**
     * A client connected: after the PROXY header and the reverse DNS lookup, if any, and after the
     * handshake on an implicit-TLS listener; again after an XCLIENT command named a new client. May
     * change {@link SmtpSession#setGreeting} and {@link SmtpSession#setHeloResponse}. Returning sends
     * the 220 greeting. A rejection (usually 554) is sent instead of the greeting and the connection is
     * closed, whatever the reply's code; any other exception: 421 4.3.0 and close.
     *
     * @param session the new session
     */
    default void onConnect(SmtpSession session) {
    }

    /**
     * A trusted proxy sent a valid PROXY header (before the greeting and before {@link #onConnect}).
     * Return the header to use (the given one, or an adjusted one, e.g. a corrected source), or throw to
     * refuse the connection: a rejection is sent and the connection closed, whatever the reply's code;
     * any other exception: 421 4.3.0 and close. Afterwards every hook, limit and log line sees
     * {@code proxy.source()} as the client (when the header names one); the proxy stays
     * {@link SmtpSession#socketRemoteAddress()}.
     *
     * @param session the session; during this call its {@link SmtpSession#remoteAddress()} is still the proxy
     * @param proxy   the header as received
     * @return the header to use; null for {@code proxy} unchanged
     */
    default ProxyInfo onProxy(SmtpSession session, ProxyInfo proxy) {
        return proxy;
    }

    /**
     * The pre-command filter: called with each command line before the state machine sees it (not with
     * message content, nor with the client's lines inside an AUTH exchange). Sees the connection and the
     * transaction through {@code session}, and the session's own context in {@link SmtpSession#attributes()}.
     * Lines the server refuses first (too long, NUL, a bare line end, invalid UTF-8, pipelined while
     * PIPELINING is off) never reach it.
     * <p>Return a {@link CommandDecision}: pass (null passes too), a rewritten line, or a reply that the
     * state machine never sees (closing the connection when the reply says so). A thrown
     * {@link SmtpRejection} is the reply, as a {@link CommandDecision.Reply} would be, and is not logged;
     * any other exception gets {@code 421 4.3.0} and the connection closes, even inside a transaction.
     *
     * @param session     the session
     * @param commandLine the line as received, without CRLF (UTF-8 decoded)
     * @return the decision; null passes the line unchanged
     */
    default CommandDecision onCommand(SmtpSession session, String commandLine) {
        return CommandDecision.PASS;
    }

    /**
     * The TLS handshake is done: on an implicit-TLS listener before {@link #onConnect}, after STARTTLS
     * before the client's new EHLO (the session has forgotten its HELO name, transaction and AUTH, RFC
     * 3207 4.2). {@link SmtpSession#tls()} has the version, cipher and client certificate. Returning lets
     * the session go on. A rejection is sent (over TLS) and the connection closed, whatever the reply's
     * code, e.g. for a client certificate the application does not accept; any other exception: 421
     * 4.3.0 and close.
     *
     * @param session the session, now secure
     */
    default void onSecure(SmtpSession session) {
    }

    /**
     * The connection is closing, for any reason (QUIT, a rejection, a timeout, the client gone, a stop);
     * a transaction in progress was dropped. Called for every admitted connection, even one closed before
     * {@link #onConnect} ran (a refused PROXY header, the per-client limit). Exceptions are logged at
     * WARN and otherwise ignored: not counted as hook failures, no reply.
     *
     * @param session the session in its final state
     */
    default void onDisconnect(SmtpSession session) {
    }

    /**
     * AUTH (RFC 4954): checks what the client presented ({@link Credentials.Password} for PLAIN and
     * LOGIN, {@link Credentials.CramMd5} with its {@code verify(password)}, {@link Credentials.BearerToken}
     * for XOAUTH2). Returning records the identity in {@link SmtpSession#authenticatedUser()} and answers
     * {@code 235 2.7.0}. A rejection is the reply (for XOAUTH2, after the error challenge the mechanism
     * requires), logged at INFO and counted in {@link ServerMetrics.Counter#AUTH_FAILURES}; the default
     * refuses everyone with {@code 535 5.7.8}. Any other exception answers {@code 454 4.7.0} (temporary
     * failure) and the session goes on; it is logged at ERROR and counted as a hook failure. Failed
     * attempts count as errors toward {@code maxErrors}, and a rejection counts toward
     * {@link SmtpServerConfig.Builder#authFailureLimit} for the real client: past it, AUTH is refused with
     * {@code 454 4.7.0} before this hook is called. Records the session's
     * {@link SmtpSession#authentication()}.
     *
     * @param session     the session; after HELO / EHLO, outside a transaction
     * @param credentials what the client presented; the server never logs secrets
     * @return the identity to record; null for {@link Credentials#username()}
     * @throws SmtpRejection to refuse the credentials; the default always does
     */
    default String onAuth(SmtpSession session, Credentials credentials) {
        throw SmtpRejection.of(535, "5.7.8", "Authentication credentials invalid");
    }

    /**
     * HELO or EHLO with the client's name. Returning resets any transaction and sends the 250 reply (for
     * EHLO, with the extensions); change its first line with {@link SmtpSession#setHeloResponse} here. A
     * rejection is sent instead and the session keeps its previous state; any other exception: 421 4.3.0
     * and close.
     *
     * @param session  the session
     * @param heloName the client's argument as sent: one word, not verified
     */
    default void onHelo(SmtpSession session, String heloName) {
    }

    /**
     * MAIL FROM, after the server's own checks (HELO first, STARTTLS and AUTH when required, syntax,
     * parameters, SIZE). Returning starts the transaction with the returned reverse path and answers
     * {@code 250 2.1.0}. A rejection is sent and no transaction starts; any other exception: 451 4.3.0,
     * and the session goes on.
     *
     * @param session    the session; its envelope is still null
     * @param from       the reverse path as the client gave it
     * @param parameters the MAIL parameters the server accepted (SIZE, BODY, SMTPUTF8, AUTH)
     * @return the reverse path to use; null for {@code from} unchanged
     */
    default ReversePath onMailFrom(SmtpSession session, ReversePath from, MailParameters parameters) {
        return from;
    }

    /**
     * RCPT TO, after the server's own checks (syntax, SMTPUTF8, {@code maxRecipients}). Returning adds
     * the returned forward path to the transaction and answers {@code 250 2.1.5}. A rejection refuses
     * this recipient only and the transaction goes on; any other exception: 451 4.3.0, likewise.
     *
     * @param session    the session; its envelope lists the recipients accepted so far
     * @param to         the forward path as the client gave it
     * @param parameters the RCPT parameters: RFC 3461 NOTIFY and ORCPT when DSN is offered, already checked
     *                   (others get 555 first); see {@link Recipient#dsnNotify()} and {@link Recipient#originalRecipient()}
     * @return the forward path to use; null for {@code to} unchanged
     */
    default ForwardPath onRcptTo(SmtpSession session, ForwardPath to, MailParameters parameters) {
        return to;
    }

    /**
     * DATA or the first BDAT was accepted, before any content: a good place to
     * {@link MessageHeaders#prepend} a Received field, or to reject (e.g. 554 5.7.1). Returning lets the
     * content come (354 for DATA). A rejection is sent instead (after BDAT, once its chunk was read and
     * dropped) and the transaction ends; any other exception: 451 4.3.0, likewise.
     *
     * @param session the session, with the complete envelope
     * @param headers where to add fields; its {@link MessageHeaders#fields()} is still empty
     */
    default void onDataStart(SmtpSession session, MessageHeaders headers) {
    }

    /**
     * The header block of the message is complete (the empty line arrived, or the content ended); not
     * called when it exceeds {@code maxHeaderBytes}. Inspect the fields, add some, or reject early: the
     * reply (the rejection's, or 451 4.3.0 for any other exception) is sent after the client has
     * finished sending the content, as SMTP requires; the transaction ends and {@link #onMessage} is not
     * called.
     *
     * @param session the session
     * @param headers the client's fields, and where to add more
     */
    default void onDataHeaders(SmtpSession session, MessageHeaders headers) {
    }

    /**
     * Message content is arriving (MidiSmtpServer's {@code on_message_data_receiving_event}): called
     * once per batch of content read from the connection (what one read brought, however many lines),
     * during DATA and BDAT, after {@link #onDataStart}, including the batch that ends the content.
     * Not called for content already refused (a header-hook rejection, a BDAT chunk dropped).
     * <ul>
     * <li>{@link DataProgress#CONTINUE} (or null): go on.</li>
     * <li>{@link DataProgress#tarpit}: the server stops reading for the delay, then goes on; no thread
     *     waits (the connection is paused) and the data timeout does not run meanwhile.</li>
     * <li>{@link DataProgress#reject}, or throwing {@link SmtpRejection}: a reply that closes (421) is
     *     sent at once and the connection closed; any other comes after the end of the content, which
     *     is dropped ({@link #onMessage} is not called) and the hook is not called again for it.</li>
     * <li>Any other exception: 451 4.3.0 after the end of the content, likewise.</li>
     * </ul>
     *
     * @param session     the session, with the complete envelope
     * @param octetsSoFar content octets received so far (after dot-unstuffing), including those beyond
     *                    {@code maxMessageSize}, which the server counts without keeping
     * @return the decision; null continues
     */
    default DataProgress onDataReceiving(SmtpSession session, long octetsSoFar) {
        return DataProgress.CONTINUE;
    }

    /**
     * The whole message arrived and nothing rejected it earlier. Returning normally means the application
     * took responsibility for it (the client gets {@code 250 2.0.0} with the message id): store it
     * durably before returning. A rejection is the reply; any other exception: 451 4.3.0, so the client
     * retries later. Either way the transaction ends and the content is released when this returns.
     *
     * @param session the session
     * @param message the message; readable only during this call
     * @throws Exception when the message cannot be taken: the client gets 451 4.3.0
     */
    default void onMessage(SmtpSession session, ReceivedMessage message) throws Exception {
    }

    /**
     * On an LMTP listener ({@link Listener#lmtp()}), in place of {@link #onMessage}: the whole message arrived
     * and nothing rejected it earlier; decide per recipient. Recipients not rejected in {@code replies} get
     * {@code 250 2.0.0} when this returns normally (the application took responsibility for the message for
     * them: store it durably first); those rejected get their reply. Throwing gives every recipient the
     * outcome, as for {@code onMessage}: a rejection is each recipient's reply (a 421 closes the connection
     * after them), any other exception {@code 451 4.3.0}. The default calls {@link #onMessage}, so a handler
     * written for SMTP serves an LMTP listener as it is, with one outcome for all recipients.
     *
     * @param session the session
     * @param message the message; readable only during this call
     * @param replies where to refuse the message for some recipients; the others are accepted
     * @throws Exception when the message cannot be taken for anyone: every recipient gets 451 4.3.0
     */
    default void onLmtpMessage(SmtpSession session, ReceivedMessage message, RecipientReplies replies) throws Exception {
        onMessage(session, message);
    }

    /**
     * A command the server does not know, after {@link #onCommand} passed it. The default answers 500
     * 5.5.2, and so does returning normally: to implement a command, answer it in {@code onCommand}.
     * Throw a 421 rejection to drop clients that send too many (see
     * {@link SmtpSession#unknownCommandCount()}). Any other exception: 451 4.3.0 inside a transaction,
     * else 421 4.3.0 and close.
     *
     * @param session     the session
     * @param commandLine the line as received (or as {@code onCommand} rewrote it)
     * @throws SmtpRejection the reply to send; the default throws {@code 500 5.5.2}
     */
    default void onUnknownCommand(SmtpSession session, String commandLine) {
        throw SmtpRejection.of(500, "5.5.2", "Command unrecognized");
    }

    /**
     * One log event of the session: connects, commands refused, messages accepted, errors. The default
     * writes it to SLF4J logger {@code dev.postern.session} with the session id in front.
     * <p>Unlike the other hooks, it is also called from the network event loop and other server threads,
     * concurrently with the session's hooks: it must be thread-safe and must not block. Overriding it
     * counts as overriding a hook (see {@link #isNonBlocking()}). It should not throw: the protocol
     * ignores what it throws, but where the network layer logs (refused connections, timeouts, TLS
     * failures) an exception disturbs the handling of the connection.
     *
     * @param session the session, or null for server-wide events
     * @param level   the severity
     * @param message one line, without the session id
     * @param error   the exception behind the event, or null
     */
    default void onLogEvent(SmtpSession session, LogLevel level, String message, Throwable error) {
        DefaultLog.log(session, level, message, error);
    }

    /**
     * One log event of the session with its facts as fields (see {@link SessionEvent}): the server calls
     * this for every event, when and where it calls {@link #onLogEvent}, with the same rules (thread-safe,
     * never blocking, never throwing). The default passes the event to {@link #onLogEvent} when this
     * handler overrides that method, so that handlers written for it see every event as before;
     * otherwise it writes the event to SLF4J logger {@code dev.postern.session} exactly as
     * {@code onLogEvent}'s default does ({@code [id] message}), with SLF4J 2 key-value pairs for a
     * structured encoder: {@code event}, the session's {@code session}, {@code client}, {@code proxy},
     * {@code tls} and {@code user} where known, then the event's own fields. Override it to receive the
     * fields; overriding it counts as overriding a hook (see {@link #isNonBlocking()}).
     *
     * @param session the session, or null for server-wide events
     * @param event   the event
     */
    default void onSessionEvent(SmtpSession session, SessionEvent event) {
        if (DefaultLog.OVERRIDES_LOG_EVENT.get(getClass())) {
            onLogEvent(session, event.level(), event.message(), event.error());
        } else {
            DefaultLog.log(session, event);
        }
    }

    /**
     * Whether every hook of this handler returns quickly without blocking. If true, hooks run on the
     * network event loop with no thread hop; never block in them then.
     *
     * @return true to run hooks on the event loop; the default, false, runs them on virtual threads
     *         when the handler overrides any method
     */
    default boolean isNonBlocking() {
        return false;
    }

    /** The SLF4J sink behind the default {@link #onLogEvent} and {@link #onSessionEvent}. */
    final class DefaultLog {
        private static final Logger LOG = LoggerFactory.getLogger("dev.postern.session");

        /** Whether a handler class overrides {@link #onLogEvent}: then it gets every event there. */
        static final ClassValue<Boolean> OVERRIDES_LOG_EVENT = new ClassValue<>() {
            @Override
            protected Boolean computeValue(Class<?> type) {
                try {
                    return type.getMethod("onLogEvent", SmtpSession.class, LogLevel.class, String.class, Throwable.class)
                            .getDeclaringClass() != SmtpHandler.class;
                } catch (NoSuchMethodException e) {
                    return true;
                }
            }
        };

        private DefaultLog() {
        }

        /**
         * Writes one event to SLF4J logger {@code dev.postern.session} as {@link #log(SmtpSession, LogLevel, String,
         * Throwable)} does, with the event's name, the session's facts and the event's fields as SLF4J 2
         * key-value pairs (which a plain-text pattern does not show).
         *
         * @param session the session, or null
         * @param event   the event
         */
        public static void log(SmtpSession session, SessionEvent event) {
            Level level = switch (event.level()) {
                case DEBUG -> Level.DEBUG;
                case INFO -> Level.INFO;
                case WARN -> Level.WARN;
                case ERROR -> Level.ERROR;
            };
            if (!LOG.isEnabledForLevel(level)) {
                return;
            }
            LoggingEventBuilder log = LOG.atLevel(level).addKeyValue("event", event.name());
            if (session != null) {
                log.addKeyValue("session", session.id());
                if (session.remoteAddress() != null) {
                    log.addKeyValue("client", hostPort(session.remoteAddress()));
                }
                if (session.isProxied() && session.socketRemoteAddress() != null) {
                    log.addKeyValue("proxy", hostPort(session.socketRemoteAddress()));
                }
                session.tls().ifPresent(tls -> log.addKeyValue("tls", tls.protocol() + " " + tls.cipherSuite()));
                session.authenticatedUser().ifPresent(user -> log.addKeyValue("user", user));
            }
            event.fields().forEach(log::addKeyValue);
            log.setMessage("[{}] {}").addArgument(session == null ? "-" : session.id()).addArgument(event.message())
                    .setCause(event.error()).log();
        }

        private static String hostPort(InetSocketAddress address) {
            String host = address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
        }

        /**
         * Writes one event to SLF4J logger {@code dev.postern.session} at the matching level, as
         * {@code [id] message} ({@code [-]} for server-wide events).
         *
         * @param session the session, or null
         * @param level   the severity
         * @param message the event
         * @param error   logged with its stack trace; null for none
         */
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
