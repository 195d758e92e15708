package dev.postern.server.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.postern.ServerMetrics;
import dev.postern.SmtpServer;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The last hour of the server's counters for the admin page's charts: every {@code interval} the counters of
 * {@link ServerMetrics}, the open connections and the queue's size are sampled into a ring of fixed size
 * (an hour's worth), so memory stays bounded however long the server runs. One daemon thread samples.
 * With them, per interval, the median and 90th percentile of the time from the end of a message's content
 * to its reply and of the sessions' durations, from a {@link dev.postern.SessionObserver} this class adds to
 * the server (and removes when closed).
 */
public final class MetricsHistory implements AutoCloseable {

    /** One reading: when, each counter's value (in {@link ServerMetrics.Counter} order), the two gauges. */
    private record Sample(Instant time, long[] counters, int connections, int queued, LatencyBuckets.Interval latency) {
    }

    private final SmtpServer smtp;
    private final IntSupplier queued;
    private final InstantSource clock;
    private final Duration interval;
    private final int capacity;
    /** Guarded by itself. */
    private final ArrayDeque<Sample> samples;
    private final ScheduledExecutorService timer;
    private final LatencyBuckets latencies = new LatencyBuckets();

    /**
     * Starts sampling at once, then every {@code interval}, keeping {@code span / interval} samples.
     *
     * @param smtp     the server whose counters are read
     * @param queued   the messages queued now, or null without a relay
     * @param interval between two samples
     * @param span     how far back samples are kept
     * @param clock    the clock samples are stamped with
     */
    public MetricsHistory(SmtpServer smtp, IntSupplier queued, Duration interval, Duration span, InstantSource clock) {
        if (interval.isNegative() || interval.isZero() || span.compareTo(interval) < 0) {
            throw new IllegalArgumentException("sampling every " + interval + " over " + span);
        }
        this.smtp = smtp;
        this.queued = queued;
        this.clock = clock;
        this.interval = interval;
        this.capacity = (int) Math.min(10_000, span.toMillis() / interval.toMillis());
        this.samples = new ArrayDeque<>(capacity);
        smtp.addObserver(latencies);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "postern-admin-metrics");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::sampleQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A failed reading (a queue gauge that threw) must not end the schedule: the next one tries again. */
    private void sampleQuietly() {
        try {
            sample();
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(MetricsHistory.class).debug("metrics sample failed: {}", e.toString());
        }
    }

    /** Takes one sample now, dropping the oldest when the ring is full. */
    void sample() {
        Sample s = read(latencies.next());
        synchronized (samples) {
            if (samples.size() == capacity) {
                samples.removeFirst();
            }
            samples.addLast(s);
        }
    }

    private Sample read(LatencyBuckets.Interval latency) {
        ServerMetrics metrics = smtp.metrics();
        ServerMetrics.Counter[] all = ServerMetrics.Counter.values();
        long[] values = new long[all.length];
        for (int i = 0; i < all.length; i++) {
            values[i] = metrics.get(all[i]);
        }
        return new Sample(clock.instant(), values, smtp.activeConnections(), queued == null ? -1 : queued.getAsInt(),
                latency);
    }

    /**
     * The samples and a reading of now, as columns: {@code times} (ISO instants), {@code counters} (each
     * counter's cumulative values, keyed by its name in lower case), {@code gauges} ({@code connections},
     * and {@code queued} with a relay), {@code latencies} (per interval, in milliseconds, null for an interval
     * without any: {@code message_reply_ms_p50} and {@code _p90}, from the end of a message's content to its
     * reply; {@code session_ms_p50} and {@code _p90}, the sessions that ended; {@code message_reply_count} and
     * {@code session_count}). The reading of now covers the interval under way so far.
     *
     * @return the history as JSON
     */
    public ObjectNode json() {
        Sample[] copy;
        synchronized (samples) {
            copy = samples.toArray(Sample[]::new);
        }
        Sample[] rows = java.util.Arrays.copyOf(copy, copy.length + 1);
        rows[copy.length] = read(latencies.peek());
        ObjectNode o = QueueJson.MAPPER.createObjectNode();
        o.put("intervalSeconds", interval.toSeconds());
        ArrayNode times = o.putArray("times");
        for (Sample s : rows) {
            times.add(s.time().toString());
        }
        ObjectNode counters = o.putObject("counters");
        ServerMetrics.Counter[] all = ServerMetrics.Counter.values();
        for (int i = 0; i < all.length; i++) {
            ArrayNode column = counters.putArray(all[i].name().toLowerCase(Locale.ROOT));
            for (Sample s : rows) {
                column.add(s.counters()[i]);
            }
        }
        ObjectNode gauges = o.putObject("gauges");
        ArrayNode connections = gauges.putArray("connections");
        for (Sample s : rows) {
            connections.add(s.connections());
        }
        if (queued != null) {
            ArrayNode q = gauges.putArray("queued");
            for (Sample s : rows) {
                q.add(s.queued());
            }
        }
        ObjectNode latency = o.putObject("latencies");
        ArrayNode replyP50 = latency.putArray("message_reply_ms_p50");
        ArrayNode replyP90 = latency.putArray("message_reply_ms_p90");
        ArrayNode replies = latency.putArray("message_reply_count");
        ArrayNode sessionP50 = latency.putArray("session_ms_p50");
        ArrayNode sessionP90 = latency.putArray("session_ms_p90");
        ArrayNode sessions = latency.putArray("session_count");
        for (Sample s : rows) {
            millis(replyP50, s.latency().reply().p50Millis());
            millis(replyP90, s.latency().reply().p90Millis());
            replies.add(s.latency().reply().count());
            millis(sessionP50, s.latency().session().p50Millis());
            millis(sessionP90, s.latency().session().p90Millis());
            sessions.add(s.latency().session().count());
        }
        return o;
    }

    /** Milliseconds to three decimals (microseconds), or null for none. */
    private static void millis(ArrayNode column, double value) {
        if (Double.isNaN(value)) {
            column.addNull();
        } else {
            column.add(Math.round(value * 1000) / 1000.0);
        }
    }

    /** @return how many samples the ring holds now */
    int size() {
        synchronized (samples) {
            return samples.size();
        }
    }

    /** Stops sampling. */
    @Override
    public void close() {
        timer.shutdownNow();
        smtp.removeObserver(latencies);
    }
}
