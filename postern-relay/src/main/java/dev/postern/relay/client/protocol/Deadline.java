package dev.postern.relay.client.protocol;

import java.time.Duration;

/** The end of the whole transaction: every single wait is the shorter of its own bound and what is left. */
public final class Deadline {

    private final long endNanos;
    private final Duration total;

    private Deadline(long endNanos, Duration total) {
        this.endNanos = endNanos;
        this.total = total;
    }

    /**
     * @param total the time from now
     * @return the deadline
     */
    public static Deadline in(Duration total) {
        return new Deadline(System.nanoTime() + total.toNanos(), total);
    }

    /** @return the time left, zero when past */
    public Duration remaining() {
        return Duration.ofNanos(Math.max(0, endNanos - System.nanoTime()));
    }

    /**
     * @param step a single wait's own bound
     * @return the shorter of {@code step} and the time left
     * @throws WireException when no time is left
     */
    public Duration cap(Duration step) throws WireException {
        Duration left = remaining();
        if (left.isZero()) {
            throw new WireException("transaction time limit of " + Durations.text(total) + " reached");
        }
        return step.compareTo(left) < 0 ? step : left;
    }
}
