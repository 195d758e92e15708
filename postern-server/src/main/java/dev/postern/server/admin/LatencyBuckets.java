package dev.postern.server.admin;

import dev.postern.Listener;
import dev.postern.SessionObserver;
import dev.postern.SmtpReply;
import dev.postern.SmtpSession;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The durations one sampling interval of {@link MetricsHistory} saw, from the server's
 * {@link SessionObserver}: how long the reply to the end of a message's content took, and how long
 * sessions lasted. Each interval keeps at most {@link #CAPACITY} values of each (the first ones; the rest
 * are counted, not kept), so memory stays bounded under any load, and recording is two atomic writes:
 * the observer runs on the event loop and must not block.
 *
 * <p>The quantiles are exact over the values kept (nearest rank over a sorted copy of at most
 * {@link #CAPACITY} numbers). Prometheus' histograms, which the server also feeds, only give bucket bounds
 * per scrape; a chart of the last hour per 10 seconds needs the values of each interval, which is why this
 * small reservoir exists rather than a dependency.
 */
final class LatencyBuckets implements SessionObserver {

    /** Values kept per interval and per measurement. */
    static final int CAPACITY = 2048;

    /** The quantiles reported: the median and the 90th percentile. */
    record Quantiles(int count, double p50Millis, double p90Millis) {
        static final Quantiles NONE = new Quantiles(0, Double.NaN, Double.NaN);
    }

    /** What one interval saw. */
    record Interval(Quantiles reply, Quantiles session) {
    }

    /** One interval's values of one measurement, in nanoseconds plus one (0 marks a slot not written yet). */
    private static final class Bucket {
        private final AtomicLongArray values = new AtomicLongArray(CAPACITY);
        private final AtomicInteger count = new AtomicInteger();

        void add(Duration d) {
            int i = count.getAndIncrement();
            if (i >= 0 && i < CAPACITY) {
                values.set(i, Math.max(0, d.toNanos()) + 1);
            }
        }

        Quantiles quantiles() {
            int n = Math.min(Math.max(count.get(), 0), CAPACITY);
            long[] v = new long[n];
            int kept = 0;
            for (int i = 0; i < n; i++) {
                long x = values.get(i);
                if (x != 0) { // a writer between its count and its value: left out of this reading
                    v[kept++] = x - 1;
                }
            }
            if (kept == 0) {
                return Quantiles.NONE;
            }
            Arrays.sort(v, 0, kept);
            int total = Math.max(count.get(), kept);
            return new Quantiles(total, rank(v, kept, 0.5), rank(v, kept, 0.9));
        }

        /** Nearest rank: the smallest value with at least q of the values at or below it. */
        private static double rank(long[] sorted, int n, double q) {
            int index = (int) Math.ceil(q * n) - 1;
            return sorted[Math.max(0, Math.min(n - 1, index))] / 1_000_000.0;
        }
    }

    private final AtomicReference<Bucket> reply = new AtomicReference<>(new Bucket());
    private final AtomicReference<Bucket> session = new AtomicReference<>(new Bucket());

    @Override
    public void messageReplied(Listener listener, SmtpSession s, long octets, SmtpReply r, Duration sinceEndOfData) {
        reply.get().add(sinceEndOfData);
    }

    @Override
    public void sessionClosed(Listener listener, SmtpSession s, Duration duration) {
        session.get().add(duration);
    }

    /** @return what the interval under way saw so far, which goes on */
    Interval peek() {
        return new Interval(reply.get().quantiles(), session.get().quantiles());
    }

    /**
     * Ends the interval under way and starts the next one. A value recorded while the buckets are swapped
     * may land in the interval just ended after it was read: it is lost, which a chart can bear.
     *
     * @return what the ended interval saw
     */
    Interval next() {
        return new Interval(reply.getAndSet(new Bucket()).quantiles(), session.getAndSet(new Bucket()).quantiles());
    }
}
