package dev.postern.netty;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code connectionRateLimit}: Exim's {@code ratelimit = N / period / per_conn} keyed on the real client
 * address (after PROXY). Each client has a smoothed rate, in connections per period, updated at each
 * connection as Exim does (acl.c, {@code acl_ratelimit}):
 * <pre>
 *   a    = exp(-interval / period)
 *   rate = (1 - a) / (interval / period) + a * rate        (a new client starts at 1)
 * </pre>
 * A connection that takes the rate over {@code N} is refused; in Exim's default "leaky" mode a refused
 * connection leaves the stored rate as it was, so a client that slows down is served again.
 *
 * <p>Memory is bounded: at most {@link #MAX_TRACKED} clients, least recently seen forgotten first, so a
 * flood of distinct addresses costs no more. Thread-safe: one instance serves the whole server.
 */
final class ConnectionRate {

    static final int MAX_TRACKED = 10_000;

    private final int limit;
    private final double periodNanos;
    private final Map<InetAddress, Rate> clients = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<InetAddress, Rate> eldest) {
            return size() > MAX_TRACKED;
        }
    };

    private static final class Rate {
        double rate;
        Instant last;
    }

    ConnectionRate(int limit, Duration period) {
        this.limit = limit;
        this.periodNanos = period.toNanos();
    }

    boolean enabled() {
        return limit > 0;
    }

    int limit() {
        return limit;
    }

    /** Counts a connection of {@code client} at {@code now}, unless it takes the client's rate over the limit. */
    synchronized boolean admit(InetAddress client, Instant now) {
        Rate r = clients.get(client);
        double next;
        if (r == null) {
            next = 1.0;
        } else {
            long interval = Math.max(0, Duration.between(r.last, now).toNanos());
            double iOverP = interval / periodNanos;
            double a = Math.exp(-iOverP);
            // (1 - a) / iOverP tends to 1 as the interval shrinks; expm1 keeps it exact near 0
            double fresh = iOverP < 1e-9 ? 1.0 : -Math.expm1(-iOverP) / iOverP;
            next = fresh + a * r.rate;
        }
        if (next > limit) {
            return false; // leaky: the refused connection does not count
        }
        if (r == null) {
            r = new Rate();
            clients.put(client, r);
        }
        r.rate = next;
        r.last = now;
        return true;
    }

    synchronized int tracked() {
        return clients.size();
    }
}
