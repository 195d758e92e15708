package dev.postern.relay.client.internal;

import dev.postern.relay.DeliveryReport;
import dev.postern.relay.DeliveryRequest;
import dev.postern.relay.RecipientOutcome.Status;
import dev.postern.relay.RemoteReply;
import dev.postern.relay.client.RelayClientConfig;
import dev.postern.relay.client.RelayTarget;
import dev.postern.relay.client.netty.Connector;
import dev.postern.relay.client.netty.TlsContexts;
import dev.postern.relay.client.netty.Transports;
import dev.postern.relay.client.protocol.Deadline;
import dev.postern.relay.client.protocol.Durations;
import dev.postern.relay.client.protocol.SessionSettings;
import dev.postern.relay.dns.MxResolver;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The machinery behind {@link dev.postern.relay.client.RelayClient}: each delivery runs on its own virtual
 * thread (its waits block cheaply there, every one bounded), and its future completes with a report in
 * every case. A watchdog past the transaction timeout covers what no bound reaches (a queue file that
 * never finishes reading): it defers the recipients and closes the attempt's connection.
 */
public final class Engine {

    /** The watchdog's margin over the transaction timeout. */
    static final Duration WATCHDOG_MARGIN = Duration.ofSeconds(10);

    private final RelayClientConfig config;
    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private final ExecutorService threads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("postern-relay-", 0).factory());
    private final ConnectionPool pool;
    private final MxResolver resolver;
    private final Context context;
    private volatile boolean closed;

    /**
     * @param config    the configuration
     * @param group     the event loops
     * @param ownsGroup whether {@link #close} shuts them down
     */
    public Engine(RelayClientConfig config, EventLoopGroup group, boolean ownsGroup) {
        this.config = config;
        this.group = group;
        this.ownsGroup = ownsGroup;
        Transports transports = Transports.of(group);
        // First what can fail on bad settings (an unreadable CA file), before anything holds a channel.
        SslContext tls = TlsContexts.forMode(config.tlsMode(), config.caFile());
        this.pool = new ConnectionPool(config.maxConnectionsPerDestination(), config.maxConnections(), config.idleTime(),
                group, threads);
        this.resolver = new MxResolver(group.next(), transports.datagram(), transports.socket(), config.dnsServer(),
                config.random());
        Connector connector = new Connector(group, transports, tls, config.socksProxies(), config.random());
        SessionSettings settings = new SessionSettings(config.heloName(), config.target() instanceof RelayTarget.Lmtp,
                config.tlsMode(), config.authUser(), config.authPassword(), config.timeouts());
        this.context = new Context(config, settings, pool, connector, resolver);
    }

    /**
     * @param recipient an address
     * @return its route key
     */
    public String route(String recipient) {
        return Routes.route(config.target(), recipient);
    }

    /**
     * @param request the delivery
     * @return its report, always completed normally
     */
    public CompletableFuture<DeliveryReport> deliver(DeliveryRequest request) {
        // The first report wins (the attempt's or the watchdog's); it is logged before the caller sees it.
        CompletableFuture<DeliveryReport> decided = new CompletableFuture<>();
        CompletableFuture<DeliveryReport> logged = decided.thenApply(report -> {
            AttemptLog.log(request, report);
            return report;
        });
        if (closed) {
            decided.complete(deferred(request, "the relay client is closed"));
            return logged;
        }
        try {
            threads.execute(() -> decided.complete(attempt(request, decided)));
        } catch (RejectedExecutionException e) {
            decided.complete(deferred(request, "the relay client is closed"));
        }
        return logged;
    }

    private DeliveryReport attempt(DeliveryRequest request, CompletableFuture<DeliveryReport> done) {
        Deadline deadline = Deadline.in(config.timeouts().transaction());
        try (ConnectionPool.Lease lease = pool.acquire(request.route(), config.timeouts().connect(), deadline)) {
            Duration limit = config.timeouts().transaction().plus(WATCHDOG_MARGIN);
            ScheduledFuture<?> watchdog = group.schedule(() -> {
                if (done.complete(deferred(request, "attempt abandoned after " + Durations.text(limit)))) {
                    lease.release();
                }
            }, limit.toNanos(), TimeUnit.NANOSECONDS);
            try {
                return new DeliveryAttempt(context, request, deadline).run(lease);
            } finally {
                watchdog.cancel(false);
            }
        } catch (PoolExhausted e) {
            return deferred(request, e.getMessage());
        } catch (RuntimeException | Error e) {
            return deferred(request, "internal error: " + e);
        }
    }

    private static DeliveryReport deferred(DeliveryRequest request, String why) {
        return DeliveryReport.all(request, Status.DEFERRED, RemoteReply.none(why), "", "");
    }

    /** @return connections open or being opened, idle ones included */
    public int openConnections() {
        return pool.open();
    }

    /** Closes pooled connections (QUIT) and those in flight (their attempts end deferred), then the loops if owned. */
    public void close() {
        closed = true;
        pool.close();
        threads.shutdown();
        resolver.close();
        if (ownsGroup) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        }
    }
}
