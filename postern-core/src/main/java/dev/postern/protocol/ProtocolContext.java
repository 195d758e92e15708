package dev.postern.protocol;

import dev.postern.LogLevel;
import dev.postern.ServerMetrics;
import dev.postern.ServerMetrics.Counter;
import dev.postern.SessionEvent;
import dev.postern.SmtpHandler;
import dev.postern.SmtpRejection;
import dev.postern.SmtpReply;
import dev.postern.SmtpServerConfig;
import dev.postern.protocol.SmtpProtocol.ReplySink;

import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;

/**
 * What the command families of one session share: the session, where it stands, the mail transaction in
 * progress, the configuration and hooks, and the one way out for replies, hook failures and log lines.
 * It decides no command; each family decides its own.
 */
final class ProtocolContext {

    /** Where the session stands in RFC 5321's command order (4.1.4: HELO or EHLO before mail). */
    enum Phase { CONNECTED, READY, GREETED, CLOSED }

    final SmtpServerConfig config;
    final SmtpServerConfig.Extensions ext;
    final SmtpHandler handler;
    final SessionState session;
    final InstantSource clock;
    final ServerMetrics metrics;
    final SmtpProtocol.MessageEvents events;
    /** The server-wide count of failed AUTH attempts per client. */
    final AuthThrottle authThrottle;
    /** The session's listener speaks LMTP (RFC 2033): LHLO, and a reply per recipient after the content. */
    final boolean lmtp;
    private final ReplySink out;
    /** The transport stopped reading on the protocol's request; {@link SmtpProtocol#resume()} ends it. */
    private volatile boolean paused;

    private Phase phase = Phase.CONNECTED;
    private Transaction transaction;
    /** Transactions begun in this session, for their ids. */
    private int transactionSeq;

    ProtocolContext(SmtpServerConfig config, SmtpHandler handler, SessionState session, InstantSource clock,
                    ServerMetrics metrics, SmtpProtocol.MessageEvents events, AuthThrottle authThrottle, ReplySink out) {
        this.config = config;
        this.ext = config.extensions();
        this.handler = handler;
        this.session = session;
        this.clock = clock;
        this.metrics = metrics;
        this.events = events;
        this.authThrottle = authThrottle;
        this.out = out;
        this.lmtp = session.listener() != null && session.listener().lmtp();
    }

    /** The reply to a command that needs the client to have said hello first. */
    SmtpReply helloFirst() {
        return lmtp ? Replies.LHLO_FIRST : Replies.HELO_FIRST;
    }

    /**
     * Asks the transport to stop reading for {@code delay} and to hold the replies written so far and
     * until then; nothing more is read until {@link SmtpProtocol#resume()}.
     */
    void pause(java.time.Duration delay) {
        paused = true;
        out.pause(delay);
    }

    boolean paused() {
        return paused;
    }

    void resume() {
        paused = false;
    }

    Phase phase() {
        return phase;
    }

    void phase(Phase next) {
        phase = next;
    }

    /** The mail transaction in progress, or null. */
    Transaction transaction() {
        return transaction;
    }

    /** The id of the next transaction (and of its message): the session id, a dot, its number in the session. */
    String nextTransactionId() {
        return session.id() + "." + (++transactionSeq);
    }

    /** MAIL was accepted. */
    void beginTransaction(Transaction started) {
        transaction = started;
        session.envelope(started.envelope());
    }

    /** Ends the transaction, if any (RSET, HELO, the end of its message, ...), and releases its content. */
    void endTransaction() {
        Transaction ended = transaction;
        if (ended != null) {
            session.clearXforward(); // XFORWARD attributes last for one transaction
        }
        transaction = null;
        session.envelope(null);
        session.transactionId(null);
        if (ended != null && ended.sink != null) {
            try {
                ended.sink.close();
            } catch (RuntimeException e) {
                log(LogLevel.WARN, "spool_failed", "cannot remove spool file", e);
            }
        }
    }

    /** Writes a reply. Every 4xx or 5xx counts as an error; {@code maxErrors} of them close the session. */
    void send(SmtpReply reply) {
        write(reply);
        if (reply.code() >= 400) {
            session.countError();
        }
        if (reply.close() || reply.code() >= 400 && tooManyErrors()) {
            close();
        }
    }

    /**
     * Writes an LMTP message's replies, one per recipient (RFC 2033 4.2). Each counts as a reply in the
     * metrics, but the message counts once toward {@code maxErrors}, however many recipients refused it.
     */
    void sendPerRecipient(List<SmtpReply> replies) {
        boolean failed = false;
        boolean close = false;
        for (SmtpReply reply : replies) {
            write(reply);
            failed |= reply.code() >= 400;
            close |= reply.close();
        }
        if (failed) {
            session.countError();
        }
        if (close || failed && tooManyErrors()) {
            close();
        }
    }

    private void write(SmtpReply reply) {
        out.write(reply.format(ext.enhancedStatusCodes()).getBytes(StandardCharsets.UTF_8));
        if (reply.code() >= 400) {
            metrics.increment(reply.code() >= 500 ? Counter.REPLIES_5XX : Counter.REPLIES_4XX);
        }
    }

    /** After an error: at {@code maxErrors}, writes the 421 that ends the session and says so. */
    private boolean tooManyErrors() {
        if (session.errorCount() < config.maxErrors()) {
            return false;
        }
        log(LogLevel.WARN, "too_many_errors", "too many errors (" + session.errorCount() + "); closing", null);
        write(Replies.TOO_MANY_ERRORS); // the 421 is a reply too, counted (found by SmtpProtocolFuzzTest)
        return true;
    }

    /** Ends the session: the transport closes the connection once the replies written so far are sent. */
    void close() {
        endTransaction();
        phase = Phase.CLOSED;
    }

    /**
     * The reply for a hook that threw: its own rejection, else a 451 inside a transaction (the client
     * may retry it) and a 421 outside one (RFC 5321 3.8: it closes the session).
     */
    SmtpReply failure(Exception e, String hook, boolean inTransaction) {
        if (e instanceof SmtpRejection r) {
            log(SessionEvent.of(LogLevel.INFO, "hook_rejected", hook + " rejected: " + r.reply())
                    .with("hook", hook).with("reply", r.reply().toString()));
            return r.reply();
        }
        log(SessionEvent.of(LogLevel.ERROR, "hook_failed", hook + " failed").with("hook", hook).withError(e));
        metrics.increment(Counter.HOOK_FAILURES);
        return inTransaction ? Replies.HOOK_FAILED_TRANSACTION : Replies.HOOK_FAILED;
    }

    /** A log event named {@code event} (see {@link SessionEvent}) without fields of its own. */
    void log(LogLevel level, String event, String message, Throwable error) {
        log(new SessionEvent(level, event, message, error, Map.of()));
    }

    /** A log event for the session, unless it is quiet (an ignored host) and the event is routine. */
    void log(SessionEvent event) {
        if (session.isQuiet() && (event.level() == LogLevel.INFO || event.level() == LogLevel.DEBUG)) {
            return;
        }
        try {
            handler.onSessionEvent(session, event);
        } catch (RuntimeException ignored) {
            // a broken log hook must not break the session
        }
    }
}
