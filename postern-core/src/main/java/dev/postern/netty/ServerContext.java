package dev.postern.netty;

import dev.postern.ServerMetrics;
import dev.postern.SmtpHandler;
import dev.postern.SmtpServerConfig;

import java.net.InetAddress;
import java.time.InstantSource;
import java.util.concurrent.ConcurrentMap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/** What every session of one server shares: settings, the handler, and the server-wide bounds. */
final class ServerContext {

    final SmtpServerConfig config;
    final SmtpHandler handler;
    final boolean inlineHooks;
    final Semaphore processings;
    final AtomicInteger connections = new AtomicInteger();
    final Set<SmtpSessionHandler> sessions = ConcurrentHashMap.newKeySet();
    final InstantSource clock = InstantSource.system();
    final SessionIds ids = new SessionIds(System.currentTimeMillis());
    final ServerMetrics metrics = new ServerMetrics();
    /** Open connections per real client address, when {@code maxConnectionsPerClient} is set. */
    private final ConcurrentMap<InetAddress, Integer> perClient = new ConcurrentHashMap<>();
    /** Null when no TLS is configured. */
    final ServerSslContext tls;

    ServerContext(SmtpServerConfig config, SmtpHandler handler) {
        this.config = config;
        this.handler = handler;
        this.inlineHooks = HookMode.inline(handler);
        this.processings = new Semaphore(config.maxProcessings(), true);
        this.tls = config.tls() == null ? null : new ServerSslContext(config.tls());
    }

    /** Counts one more connection of {@code client}, unless it already holds the per-client maximum. */
    boolean admitClient(InetAddress client) {
        int limit = config.maxConnectionsPerClient();
        boolean[] admitted = {false};
        perClient.compute(client, (k, n) -> {
            int open = n == null ? 0 : n;
            if (open >= limit) {
                return n;
            }
            admitted[0] = true;
            return open + 1;
        });
        return admitted[0];
    }

    void releaseClient(InetAddress client) {
        perClient.computeIfPresent(client, (k, n) -> n <= 1 ? null : n - 1);
    }
}
