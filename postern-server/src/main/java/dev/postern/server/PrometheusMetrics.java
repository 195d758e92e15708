package dev.postern.server;

import dev.postern.Listener;
import dev.postern.ServerMetrics.Counter;
import dev.postern.SessionObserver;
import dev.postern.SmtpReply;
import dev.postern.SmtpServer;
import dev.postern.SmtpSession;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The standalone server's metrics, on the official Prometheus Java client: every library
 * {@link Counter} as {@code postern_<name>_total}, the gauges, histograms of session durations,
 * message sizes, the time from the end of a message to its reply and each hook's latency (labelled by
 * listener), {@code postern_build_info}, and the client's standard JVM and process metrics
 * ({@code jvm_memory_used_bytes}, {@code process_cpu_seconds_total}, ...).
 *
 * <p>It observes the SMTP server ({@link SessionObserver}): give it to the builder before the server
 * starts, then {@link #bind} the server's counters once it is built. Each instance has its own registry,
 * so two servers in one JVM (tests) do not mix.
 */
final class PrometheusMetrics implements SessionObserver {

    /** Session lengths: from a probe's milliseconds to the 30-minute session deadline. */
    private static final double[] SESSION_SECONDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800};
    /** Message sizes: 1 KiB to 64 MiB, by fours. */
    private static final double[] MESSAGE_BYTES = {1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864};
    /** The time to answer a message (mostly fsync or a queue write) and a hook's latency. */
    private static final double[] REPLY_SECONDS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
    private static final double[] HOOK_SECONDS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

    static final String LISTENER = "listener";

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Histogram sessionDuration;
    private final Histogram messageSize;
    private final Histogram messageReply;
    private final Histogram hookDuration;

    PrometheusMetrics(BuildInfo build) {
        sessionDuration = Histogram.builder().name("postern_session_duration_seconds")
                .help("SMTP sessions, from the accept to the close.")
                .unit(io.prometheus.metrics.model.snapshots.Unit.SECONDS)
                .labelNames(LISTENER).classicOnly().classicUpperBounds(SESSION_SECONDS).register(registry);
        messageSize = Histogram.builder().name("postern_message_size_bytes")
                .help("Messages whose content ended, by the class of the reply to it (2xx accepted), in octets.")
                .unit(io.prometheus.metrics.model.snapshots.Unit.BYTES)
                .labelNames(LISTENER, "reply").classicOnly().classicUpperBounds(MESSAGE_BYTES).register(registry);
        messageReply = Histogram.builder().name("postern_message_reply_seconds")
                .help("From the end of a message's content (DATA's final dot, the last BDAT) to the reply.")
                .unit(io.prometheus.metrics.model.snapshots.Unit.SECONDS)
                .labelNames(LISTENER, "reply").classicOnly().classicUpperBounds(REPLY_SECONDS).register(registry);
        hookDuration = Histogram.builder().name("postern_hook_duration_seconds")
                .help("Calls of the handler's hooks (onRcptTo, onMessage, ...), returned or thrown.")
                .unit(io.prometheus.metrics.model.snapshots.Unit.SECONDS)
                .labelNames(LISTENER, "hook").classicOnly().classicUpperBounds(HOOK_SECONDS).register(registry);
        Info.builder().name("postern_build_info").help("The Postern build and the Java runtime it runs on.")
                .labelNames("version", "commit", "java_version").register(registry)
                .setLabelValues(build.version(), build.commit() == null ? "unknown" : build.commit(),
                        System.getProperty("java.version"));
        JvmMetrics.builder().register(registry);
    }

    /**
     * Adds the counters and gauges of {@code server}, whose listeners opened at {@code started}, and of the
     * relay queue when there is one.
     *
     * @param queue the queue's gauges, or null without a relay
     */
    PrometheusMetrics bind(SmtpServer server, Instant started, Supplier<Relay.Gauges> queue) {
        for (Counter counter : Counter.values()) {
            CounterWithCallback.builder().name("postern_" + counter.name().toLowerCase(Locale.ROOT))
                    .help(counter.description())
                    .callback(cb -> cb.call(server.metrics().get(counter))).register(registry);
        }
        gauge("postern_connections_active", "SMTP connections open now.", server::activeConnections);
        if (queue != null) {
            gauge("postern_queue_messages", "Messages in the relay queue.", () -> queue.get().messages());
            gauge("postern_queue_bytes", "Octets of the messages in the relay queue.", () -> queue.get().octets());
            gauge("postern_queue_deferred_messages", "Queued messages with a recipient deferred (to be tried again).",
                    () -> queue.get().deferred());
        }
        gauge("postern_up", "1 while the server runs.", () -> 1);
        gauge("postern_start_time_seconds", "When the SMTP listeners started, in seconds since the Unix epoch.",
                () -> started.toEpochMilli() / 1000.0);
        return this;
    }

    private void gauge(String name, String help, Supplier<Number> value) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.get().doubleValue())).register(registry);
    }

    /** Every metric now. */
    MetricSnapshots scrape() {
        return registry.scrape();
    }

    @Override
    public void sessionClosed(Listener listener, SmtpSession session, Duration duration) {
        sessionDuration.labelValues(label(listener)).observe(seconds(duration));
    }

    @Override
    public void messageReplied(Listener listener, SmtpSession session, long octets, SmtpReply reply, Duration sinceEndOfData) {
        String listenerLabel = label(listener);
        String replyClass = (reply.code() / 100) + "xx";
        messageSize.labelValues(listenerLabel, replyClass).observe(octets);
        messageReply.labelValues(listenerLabel, replyClass).observe(seconds(sinceEndOfData));
    }

    @Override
    public void hookCompleted(Listener listener, SmtpSession session, String hook, Duration duration, boolean threw) {
        hookDuration.labelValues(label(listener), hook).observe(seconds(duration));
    }

    /**
     * A listener's label: its address as configured, {@code HOST:PORT} ({@code [::1]:25}), which tells
     * listeners apart since no two can share one.
     */
    static String label(Listener listener) {
        String host = listener.host();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + listener.port();
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }
}
