package dev.postern.netty;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Session ids: short, upper-case base-36, increasing, and unique across restarts of one host (seeded
 * from the clock in microseconds; a restart takes longer than the ids it could reuse).
 */
final class SessionIds {

    private static final byte[] DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".getBytes(StandardCharsets.US_ASCII);
    /** Digits of Long.MAX_VALUE in base 36. */
    private static final int MAX_DIGITS = 13;

    private final AtomicLong next;

    SessionIds(long epochMillis) {
        next = new AtomicLong(epochMillis * 1000);
    }

    /** One id per connection, so built straight into its one string rather than converted and upper-cased. */
    String next() {
        long n = next.getAndIncrement();
        byte[] digits = new byte[MAX_DIGITS];
        int at = MAX_DIGITS;
        do {
            digits[--at] = DIGITS[(int) (n % 36)];
            n /= 36;
        } while (n > 0);
        return new String(digits, at, MAX_DIGITS - at, StandardCharsets.ISO_8859_1);
    }
}
