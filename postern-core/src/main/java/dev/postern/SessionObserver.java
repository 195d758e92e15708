package dev.postern;

import java.time.Duration;

/**
 * Receives the measurements of a server that are distributions rather than counts (how long, how large),
 * for a metrics library to turn into histograms or timers: the standalone server feeds Prometheus
 * histograms from it, an embedder a Micrometer registry. The counts are in {@link ServerMetrics}.
 *
 * <p>Add one with {@link SmtpServer.Builder#observer} or {@link SmtpServer#addObserver}. Every method has
 * an empty default, so an observer implements only what it records. Methods are called on the network
 * event loop and on the sessions' hook threads, concurrently: they must be thread-safe, quick, and must
 * not block. An exception thrown by an observer is dropped; it never changes what the client sees. With
 * no observer added, nothing is measured.
 *
 * <p>Each call names the {@link Listener} the client connected to, so that measurements can be told
 * apart per listener (port 25 against 587, say).
 */
public interface SessionObserver {

    /**
     * A connection closed.
     *
     * @param listener the listener that accepted it
     * @param session  the session that ended
     * @param duration from the accept to the close
     */
    default void sessionClosed(Listener listener, SmtpSession session, Duration duration) {
    }

    /**
     * The server answered the end of a message's content (the final dot of DATA, or the last BDAT
     * chunk): accepted after {@link SmtpHandler#onMessage} returned, or refused (too large, a hook's
     * rejection, a storage failure).
     *
     * @param listener       the listener that accepted the connection
     * @param session        the session
     * @param octets         the message's size as received (with the header fields hooks added)
     * @param reply          the reply to the end of the content: 250 when the message was accepted
     * @param sinceEndOfData from the moment the end of the content was read to the moment the reply was
     *                       ready to send: mostly the time {@code onMessage} took to store the message
     */
    default void messageReplied(Listener listener, SmtpSession session, long octets, SmtpReply reply,
                                Duration sinceEndOfData) {
    }

    /**
     * A hook of the handler returned or threw. Only the hooks the handler overrides are measured, and
     * never the log hooks ({@link SmtpHandler#onLogEvent}, {@link SmtpHandler#onSessionEvent}).
     *
     * @param listener the listener that accepted the connection
     * @param session  the session
     * @param hook     the hook's method name: {@code "onConnect"}, {@code "onRcptTo"}, {@code "onMessage"}, ...
     * @param duration how long the call took
     * @param threw    whether it threw (a rejection or a failure) instead of returning
     */
    default void hookCompleted(Listener listener, SmtpSession session, String hook, Duration duration, boolean threw) {
    }
}
