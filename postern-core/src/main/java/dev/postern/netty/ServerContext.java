package dev.postern.netty;

import dev.postern.LogLevel;
import dev.postern.ServerMetrics;
import dev.postern.SmtpHandler;
import dev.postern.SmtpServerConfig;
import dev.postern.SmtpSession;
import dev.postern.protocol.AuthThrottle;

import java.time.InstantSource;
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
    final ConnectionRate connectionRate;
    final AuthThrottle authThrottle;
    final InstantSource clock = InstantSource.system();
    final SessionIds ids = new SessionIds(System.currentTimeMillis());
    final ServerMetrics metrics = new ServerMetrics();
    /** Null when no TLS is configured. */
    final ServerSslContext tls;

    ServerContext(SmtpServerConfig config, SmtpHandler handler) {
        this.config = config;
        this.handler = handler;
        this.inlineHooks = HookMode.inline(handler);
        this.inlineGreeting = HookMode.inline(handler, HookMode.GREETING_HOOKS);
        this.processings = new Semaphore(config.maxProcessings(), true);
        this.clients = new ClientLimit(config.maxConnectionsPerClient());
        this.connectionRate = new ConnectionRate(config.maxConnectionRate(), config.connectionRatePeriod());
        this.authThrottle = new AuthThrottle(config.maxAuthFailures(), config.authFailureWindow());
        this.tls = config.tls() == null ? null : new ServerSslContext(config.tls());
    }

    /**
     * The transport's log lines, through the application's log hook. A hook that throws must not stop
     * what the transport was doing when it logged (a timeout's 421 and close, a refusal), so its
     * failure is dropped here, as the protocol drops it.
     */
    void log(SmtpSession session, LogLevel level, String message, Throwable error) {
        try {
            handler.onLogEvent(session, level, message, error);
        } catch (RuntimeException ignored) {
            // a broken log hook must not break the transport
        }
    }
}
