package dev.postern.netty;

import dev.postern.LogLevel;
import dev.postern.SessionEvent;
import dev.postern.ServerMetrics.Counter;
import dev.postern.protocol.Replies;
import dev.postern.protocol.SmtpProtocol;
import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;

import java.util.concurrent.TimeUnit;

/**
 * The time bounds of one session, on ONE scheduled task: the idle timeout of what the protocol is
 * reading (command or data timeout) and the session deadline. It wakes at whichever comes first, looks
 * again no later than the shorter idle timeout (the mode may change meanwhile), and on expiry sends the
 * 421 and closes. Scheduling, re-checks and cancelling run on the event loop.
 */
final class SessionTimer implements Runnable {

    static final long FORCE_CLOSE_AFTER_MILLIS = 2000;

    private final ServerContext server;
    private final Channel channel;
    private final SmtpProtocol protocol;
    private final HookRunner runner;
    /** The event loop's clock, the one its scheduler goes by. */
    private final Ticker ticker;
    private final long commandTimeout;
    private final long dataTimeout;
    private final long shortestTimeout;
    private long deadline;
    /** When the client's turn began: its last bytes, or our last replies (nanoTime). */
    private volatile long lastActivity;
    private ScheduledFuture<?> next;

    SessionTimer(ServerContext server, Channel channel, SmtpProtocol protocol, HookRunner runner) {
        this.server = server;
        this.channel = channel;
        this.protocol = protocol;
        this.runner = runner;
        this.ticker = channel.eventLoop().ticker();
        this.commandTimeout = server.config.commandTimeout().toNanos();
        this.dataTimeout = server.config.dataTimeout().toNanos();
        this.shortestTimeout = Math.min(commandTimeout, dataTimeout);
    }

    /** The connection is open: the clocks start (event loop). */
    void start() {
        long now = ticker.nanoTime();
        lastActivity = now;
        long life = server.config.sessionDeadline().toNanos();
        deadline = now + life;
        schedule(Math.min(shortestTimeout, life));
    }

    /** Input arrived or replies went out (any thread). */
    void touch() {
        lastActivity = ticker.nanoTime();
    }

    /** The connection closed (event loop). */
    void cancel() {
        if (next != null) {
            next.cancel(false);
            next = null;
        }
    }

    @Override
    public void run() {
        next = null;
        if (!channel.isActive()) {
            return;
        }
        long now = ticker.nanoTime();
        long toDeadline = deadline - now;
        if (toDeadline <= 0) {
            timeOut("session deadline");
            return;
        }
        boolean command = protocol.mode() == SmtpProtocol.Mode.COMMAND;
        long timeout = command ? commandTimeout : dataTimeout;
        long wait;
        if (runner.busy()) {
            wait = timeout; // the server's turn: the client is waiting for us
        } else {
            long idle = now - lastActivity;
            if (idle >= timeout) {
                timeOut(command ? "command timeout" : "data timeout");
                return;
            }
            wait = Math.min(timeout - idle, shortestTimeout);
        }
        schedule(Math.min(wait, toDeadline));
    }

    private void schedule(long delayNanos) {
        next = channel.eventLoop().schedule(this, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void timeOut(String what) {
        server.metrics.increment(Counter.TIMEOUTS);
        server.log(protocol.session(), SessionEvent.of(LogLevel.INFO, "timeout", what + " exceeded; closing").with("timeout", what));
        runner.submit(() -> protocol.abort(Replies.timeout(server.config.hostname())));
        forceCloseLater();
    }

    /**
     * The polite 421 waits its turn behind any hook still running; a hook that never returns must not
     * keep the connection hostage, so the channel is closed regardless shortly after, and the stuck
     * hook's thread is interrupted. Any thread.
     */
    void forceCloseLater() {
        channel.eventLoop().schedule(() -> {
            if (channel.isActive()) {
                runner.interrupt();
                channel.close();
            }
        }, FORCE_CLOSE_AFTER_MILLIS, TimeUnit.MILLISECONDS);
    }
}
