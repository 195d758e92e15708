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
 */
public final class MetricsHistory implements AutoCloseable {

    /** One reading: when, each counter's value (in {@link ServerMetrics.Counter} order), the two gauges. */
    private record Sample(Instant time, long[] counters, int connections, int queued) {
    }

    private final SmtpServer smtp;
    private final IntSupplier queued;
    private final InstantSource clock;
    private final Duration interval;
    private final int capacity;
    /** Guarded by itself. */
    private final ArrayDeque<Sample> samples;
    private final ScheduledExecutorService timer;

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
        Sample s = read();
        synchronized (samples) {
            if (samples.size() == capacity) {
                samples.removeFirst();
            }
            samples.addLast(s);
        }
    }

    private Sample read() {
        ServerMetrics metrics = smtp.metrics();
        ServerMetrics.Counter[] all = ServerMetrics.Counter.values();
        long[] values = new long[all.length];
        for (int i = 0; i < all.length; i++) {
            values[i] = metrics.get(all[i]);
        }
        return new Sample(clock.instant(), values, smtp.activeConnections(), queued == null ? -1 : queued.getAsInt());
    }

    /**
     * The samples and a reading of now, as columns: {@code times} (ISO instants), {@code counters} (each
     * counter's cumulative values, keyed by its name in lower case), {@code gauges} ({@code connections},
     * and {@code queued} with a relay).
     *
     * @return the history as JSON
     */
    public ObjectNode json() {
        Sample[] copy;
        synchronized (samples) {
            copy = samples.toArray(Sample[]::new);
        }
        Sample[] rows = java.util.Arrays.copyOf(copy, copy.length + 1);
        rows[copy.length] = read();
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
        return o;
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
    }
}
