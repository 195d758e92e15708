package dev.postern.netty;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Session ids: short, upper-case base-36, increasing, and unique across restarts of one host (seeded
 * from the clock in microseconds; a restart takes longer than the ids it could reuse).
 */
final class SessionIds {

    private final AtomicLong next;

    SessionIds(long epochMillis) {
        next = new AtomicLong(epochMillis * 1000);
    }

    String next() {
        return Long.toString(next.getAndIncrement(), 36).toUpperCase(Locale.ROOT);
    }
}
