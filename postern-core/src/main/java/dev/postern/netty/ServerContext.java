package dev.postern.netty;

import dev.postern.Listener;
import dev.postern.LogLevel;
import dev.postern.ServerMetrics;
import dev.postern.SessionEvent;
import dev.postern.SessionObserver;
import dev.postern.SmtpHandler;
import dev.postern.SmtpServerConfig;
import dev.postern.SmtpSession;

import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/** What every connection of one server shares: settings, the handler, and the server-wide bounds. */
final class ServerContext {

    final SmtpServerConfig config;
    final SmtpHandler handler;
    final boolean inlineHooks;
    /** The session's start calls no hook that may block, so it may run on the event loop even when others do. */
    final boolean inlineGreeting;
    final Semaphore processings;
    /** Open connections, counted by {@link Admission} against {@code maxConnections}. */
    final AtomicInteger connections = new AtomicInteger();
    final OpenSessions sessions = new OpenSessions();
    final ClientLimit clients;
    final InstantSource clock = InstantSource.system();
    final SessionIds ids = new SessionIds(System.currentTimeMillis());
    final ServerMetrics metrics = new ServerMetrics();
    /** Who measures durations and sizes; the measuring is skipped while there is nobody. */
    final Observers observers;
    /** The hooks the handler overrides, timed for the observers. */
    private final Set<String> overriddenHooks;
    /** Null when no TLS is configured. */
    final ServerSslContext tls;

    ServerContext(SmtpServerConfig config, SmtpHandler handler) {
        this(config, handler, List.of());
    }

    ServerContext(SmtpServerConfig config, SmtpHandler handler, List<SessionObserver> observers) {
        this.config = config;
        this.handler = handler;
        this.observers = new Observers(observers);
        this.overriddenHooks = HookMode.overridden(handler);
        this.inlineHooks = HookMode.inline(handler);
        this.inlineGreeting = HookMode.inline(handler, HookMode.GREETING_HOOKS);
        this.processings = new Semaphore(config.maxProcessings(), true);
        this.clients = new ClientLimit(config.maxConnectionsPerClient());
        this.tls = config.tls() == null ? null : new ServerSslContext(config.tls());
    }

    /**
     * The handler as a new session on {@code listener} sees it: the application's own, or, while someone
     * observes the server, one whose hooks are timed.
     */
    SmtpHandler handlerFor(Listener listener) {
        return observers.isEmpty() || overriddenHooks.isEmpty() ? handler
                : new TimedHooks(handler, overriddenHooks, observers, listener);
    }

    /**
     * The transport's log lines, through the application's log hook. A hook that throws must not stop
     * what the transport was doing when it logged (a timeout's 421 and close, a refusal), so its
     * failure is dropped here, as the protocol drops it.
     */
    void log(SmtpSession session, LogLevel level, String event, String message, Throwable error) {
        log(session, new SessionEvent(level, event, message, error, Map.of()));
    }

    /** As {@link #log(SmtpSession, LogLevel, String, String, Throwable)}, for an event with fields of its own. */
    void log(SmtpSession session, SessionEvent event) {
        try {
            handler.onSessionEvent(session, event);
        } catch (RuntimeException ignored) {
            // a broken log hook must not break the transport
        }
    }
}
