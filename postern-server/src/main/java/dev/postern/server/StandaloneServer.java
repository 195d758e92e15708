package dev.postern.server;

import dev.postern.Listener;
import dev.postern.SmtpHandler;
import dev.postern.SmtpServer;
import dev.postern.SmtpServerConfig;
import dev.postern.auth.AuthConfig;
import dev.postern.auth.AuthMechanism;
import dev.postern.proxy.ProxyProtocolMode;
import dev.postern.relay.client.RelayClientConfig;
import dev.postern.relay.client.SocksProxy;
import dev.postern.tls.StartTlsMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.stream.Collectors;

/** Runs the server with the settings of {@code postern serve} until the JVM is asked to stop (SIGTERM, Ctrl-C). */
final class StandaloneServer {

    private static final Logger LOG = LoggerFactory.getLogger(StandaloneServer.class);

    private final ServeSettings settings;
    private SmtpServer smtp;
    /** Null without --http-listen. */
    private MonitoringEndpoint monitoring;
    /** Null without --relay. */
    private Relay relay;
    /** Null without --admin. */
    private dev.postern.server.admin.MetricsHistory adminHistory;
    /** The Maildir, or null with --relay or --discard. */
    private MaildirStore store;
    /** Set by a stop (SIGTERM) during {@link #start}: the start gives up at its next step, closing what it opened. */
    private volatile boolean cancelled;

    /** Thrown by {@link #start} when a stop came during it, after it closed what it had opened. */
    static final class StartCancelled extends RuntimeException {
        StartCancelled() {
            super("stopped during start-up", null, false, false);
        }
    }

    StandaloneServer(ServeSettings settings) {
        this.settings = settings;
    }

    /**
     * Starts the SMTP server, and the monitoring endpoint if there is one, and returns the SMTP server
     * running; the caller stops them with {@link #stop}.
     */
    SmtpServer start() throws IOException {
        settings.warnings().forEach(w -> LOG.atWarn().addKeyValue("event", "config_warning").log(w));
        checkCancelled();
        // The queue first: a queue another server holds stops the start before any port is bound.
        Relay started = settings.relay() == null ? null : Relay.start(settings.relay());
        SmtpServer server;
        MonitoringEndpoint endpoint = null;
        try {
            checkCancelled();
            // Measured only for a monitoring endpoint: without one, nobody would read the histograms.
            PrometheusMetrics metrics = settings.httpListen() == null ? null : new PrometheusMetrics(new BuildInfo());
            SmtpServer.Builder builder = SmtpServer.builder()
                    .config(settings.server())
                    // a long-running server: epoll's lower CPU per connection, and loops of its own
                    .nativeTransport(true)
                    .sharedEventLoops(false)
                    .handler(handler(started));
            if (metrics != null) {
                builder.observer(metrics);
            }
            // The last step a stop can cancel: once bound, the listeners are stopped as a running server's are.
            checkCancelled();
            server = builder.build().start();
            if (metrics != null) {
                try {
                    metrics.bind(server, Instant.now(), started == null ? null : started::gauges);
                    MaildirStore maildir = store;
                    endpoint = MonitoringEndpoint.start(settings.httpListen(), server, metrics,
                            maildir == null ? null : maildir::failure);
                    if (settings.admin() != null) {
                        adminHistory = mountAdmin(endpoint, server, started);
                    }
                } catch (IOException | RuntimeException e) {
                    // After the SMTP listeners, not before: a JDK server bound but never started keeps its port
                    // until the JVM exits. So a failure here closes them again, as if they had failed to bind.
                    server.stop(Duration.ZERO);
                    throw e;
                }
            }
        } catch (IOException | RuntimeException e) {
            if (started != null) {
                try {
                    started.close();
                } catch (IOException closing) {
                    e.addSuppressed(closing);
                }
            }
            throw e;
        }
        LOG.atInfo().addKeyValue("event", "started").addKeyValue("version", new BuildInfo().version())
                .log("Postern {} listening on {}, {}", settings.server().hostname(), addresses(server), destination());
        for (Listener listener : settings.server().listeners()) {
            LOG.atInfo().addKeyValue("event", "listener").addKeyValue("listener", PrometheusMetrics.label(listener))
                    .log("listener {}: {}", hostPort(listener.host(), listener.port()), describe(listener, settings.server()));
        }
        if (settings.relay() != null) {
            LOG.atInfo().addKeyValue("event", "relay").log("relay: {}", describe(settings.relay()));
        }
        if (settings.plugins() != null) {
            LOG.atInfo().addKeyValue("event", "plugins").log("plugins: {}, then the delivery", String.join(", ", settings.plugins().names()));
        }
        if (adminHistory != null) {
            LOG.info("admin page on http://{}/admin/ ({}; {})", format(endpoint.address()),
                    settings.admin().token() == null ? "read-only: no --admin-token-file" : "actions need the token",
                    settings.admin().allowRemote() ? "any client" : "loopback clients only");
        }
        if (settings.auth().users() != null) {
            LOG.info("AUTH: {}", describe(settings.auth()));
        }
        if (endpoint != null) {
            LOG.atInfo().addKeyValue("event", "monitoring").log("monitoring on http://{} ({}, {}, {})", format(endpoint.address()),
                    MonitoringEndpoint.METRICS, MonitoringEndpoint.HEALTH, MonitoringEndpoint.READY);
        }
        smtp = server;
        monitoring = endpoint;
        relay = started;
        return server;
    }

    /**
     * Stops gracefully: {@code /ready} answers 503 at once, open sessions get {@code grace} to finish
     * (then 421); with a relay, deliveries in flight then get the relay's close timeout to finish before
     * the queue closes; the monitoring endpoint closes last, so that it answers throughout the stop.
     */
    void stop(Duration grace) {
        if (monitoring != null) {
            monitoring.stopping();
        }
        try {
            smtp.stop(grace);
            if (relay != null) {
                relay.close();
            }
        } catch (IOException e) {
            LOG.atWarn().addKeyValue("event", "queue_close_failed").log("closing the queue failed: {}", e.toString());
        } finally {
            if (settings.plugins() != null) {
                settings.plugins().close();
            }
            if (monitoring != null) {
                monitoring.stop();
            }
            if (adminHistory != null) {
                adminHistory.close();
            }
        }
    }

    /**
     * The first step of a stop with {@code --drain-delay}: {@code /ready} answers 503 at once, so that a load
     * balancer's health checks take this server out, while the listeners keep accepting and serving for
     * {@code delay}, as clients may still be sent here until those checks fail.
     */
    void drain(Duration delay) {
        if (delay.isZero()) {
            return;
        }
        if (monitoring != null) {
            monitoring.stopping();
        }
        LOG.info("draining: /ready answers 503, the listeners close in {}", delay);
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The admin page's routes on the monitoring endpoint, with the counters' history they chart. */
    private dev.postern.server.admin.MetricsHistory mountAdmin(MonitoringEndpoint endpoint, SmtpServer server, Relay started) {
        var history = new dev.postern.server.admin.MetricsHistory(server,
                started == null ? null : () -> started.queue().messages().size(),
                Duration.ofSeconds(10), Duration.ofHours(1), java.time.InstantSource.system());
        var queue = started == null ? null
                : new dev.postern.server.admin.QueueOperations(started.queue(), started.manager(), java.time.InstantSource.system());
        Path maildir = settings.relay() == null && !settings.discard() ? settings.maildir() : null;
        endpoint.mount(dev.postern.server.admin.AdminApi.PREFIX, new dev.postern.server.admin.AdminApi(settings.admin(),
                settings.httpListen().host(), server, new dev.postern.server.admin.AdminApi.Sources(queue, destination(), maildir),
                history, java.time.Instant.now()));
        return history;
    }

    /** The address the monitoring endpoint is bound to (its port when --http-listen asked for 0), or null without one. */
    InetSocketAddress httpAddress() {
        return monitoring == null ? null : monitoring.address();
    }

    /** Asks a {@link #start} in progress to give up at its next step (a stop during start-up). */
    void cancelStart() {
        cancelled = true;
    }

    private void checkCancelled() {
        if (cancelled) {
            throw new StartCancelled();
        }
    }

    /**
     * Starts, then runs until the JVM is asked to stop: {@code lifecycle}'s shutdown hook, registered before the
     * settings were read, stops the server (or the start in progress) and ends the JVM with exit 0.
     */
    void runUntilShutdown(ServeLifecycle lifecycle) throws IOException, InterruptedException {
        if (!lifecycle.starting(this)) {
            lifecycle.awaitHalt(); // stopped before anything was opened
            return;
        }
        try {
            start();
        } catch (IOException | RuntimeException | Error e) {
            // Every failure settles the start: a hook waiting for it would otherwise wait for ever.
            if (e instanceof StartCancelled && settings.plugins() != null) {
                settings.plugins().close(); // as a stop of the running server does
            }
            if (lifecycle.failed(e)) {
                lifecycle.awaitHalt(); // the stop during start-up ends the JVM
                return;
            }
            throw e;
        }
        lifecycle.started();
        lifecycle.awaitHalt();
    }

    /** The stop of a running server on SIGTERM: the drain, then {@link #stop} with the shutdown grace. */
    void stopFromSignal() {
        // So that SIGTERM lets open sessions finish (or get 421) instead of dropping them.
        drain(settings.drainDelay());
        LOG.atInfo().addKeyValue("event", "stopping").log("stopping: open sessions get {} to finish{}", settings.shutdownGrace(),
                settings.relay() == null ? "" : ", then deliveries in flight as long");
        stop(settings.shutdownGrace());
    }

    /** The delivery, after the plugins' handlers when --handler chose some. */
    private SmtpHandler handler(Relay started) throws IOException {
        SmtpHandler delivery = delivery(started);
        return settings.plugins() == null ? delivery : settings.plugins().before(delivery);
    }

    private SmtpHandler delivery(Relay started) throws IOException {
        String hostname = settings.server().hostname();
        if (started != null) {
            return new RelayHandler(started.queue(), settings.relay().access(), hostname, Clock.systemDefaultZone(),
                    settings.auth());
        }
        if (settings.discard()) {
            return settings.auth().users() == null ? new DiscardHandler() : new AuthenticatingDiscardHandler(settings.auth());
        }
        try {
            store = MaildirStore.open(settings.maildir(), hostname);
        } catch (MaildirStore.NotWritable e) {
            throw e;
        } catch (IOException e) {
            throw new IOException("cannot create maildir " + settings.maildir() + ": " + e, e);
        }
        return new MaildirHandler(store, hostname, Clock.systemDefaultZone(), settings.auth());
    }

    /** Where accepted mail goes, for the start line. */
    private String destination() {
        if (settings.relay() != null) {
            return "relaying to " + settings.relay().client().target() + " through the queue "
                    + settings.relay().queueDir().toAbsolutePath().normalize();
        }
        return settings.discard() ? "discarding every message" : "maildir " + settings.maildir().toAbsolutePath().normalize();
    }

    /** Who may relay, the proxies and TLS, as one line: what an operator checks first when mail does not move. */
    private static String describe(RelaySettings relay) {
        RelayClientConfig client = relay.client();
        String proxies = client.socksProxies().isEmpty() ? "direct connections"
                : "through SOCKS5 " + client.socksProxies().stream().map(SocksProxy::toString).collect(Collectors.joining(", "));
        return relay.access() + "; " + proxies + "; TLS " + client.tlsMode().name().toLowerCase(Locale.ROOT)
                + (client.authUser() == null ? "" : ", AUTH as " + client.authUser())
                + "; queue holds at most " + relay.limits().maxMessages() + " messages, " + relay.limits().maxBytes() + " octets";
    }

    /** Which mechanisms, whether required, over what, against which file: one line. */
    private static String describe(AuthSettings auth) {
        AuthConfig config = auth.config();
        return (config.required() ? "required before MAIL" : "optional") + ", "
                + config.mechanisms().stream().map(AuthMechanism::wireName).collect(Collectors.joining(" ")) + ", "
                + (config.allowPlaintext() ? "with or without TLS" : "over TLS only") + ", users file "
                + auth.users().file() + " with " + auth.users().users().size() + " user(s)";
    }

    /** Whether a client of {@code listener} gets TLS at once, STARTTLS or neither, and whether a PROXY header is read. */
    private static String describe(Listener listener, SmtpServerConfig config) {
        String tls;
        if (listener.implicitTls()) {
            tls = "implicit TLS";
        } else if (config.offersStartTls()) {
            tls = "plain, STARTTLS offered" + (config.startTls() == StartTlsMode.REQUIRED ? " and required before MAIL" : "");
        } else {
            tls = "plain, STARTTLS not offered (" + (config.tls() == null ? "no certificate" : "--starttls off") + ")";
        }
        if (listener.proxyProtocol() == ProxyProtocolMode.OFF) {
            return tls;
        }
        return tls + ", PROXY header " + listener.proxyProtocol().name().toLowerCase(Locale.ROOT) + " from " + listener.trustedProxies();
    }

    private static String addresses(SmtpServer server) {
        return server.boundAddresses().stream().map(StandaloneServer::format).collect(Collectors.joining(", "));
    }

    private static String format(InetSocketAddress a) {
        return hostPort(a.getHostString(), a.getPort());
    }

    private static String hostPort(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
