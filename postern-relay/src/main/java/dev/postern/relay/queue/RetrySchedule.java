package dev.postern.relay.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * When a deferred recipient is tried again, and for how long: the n-th step is the wait after the n-th
 * attempt, the last step repeats, and a recipient still deferred once the message has been queued for
 * {@code maxQueueTime} fails (its sender gets a DSN). The last wait is cut short so that one attempt falls
 * on the deadline itself.
 *
 * @param steps        the waits after the first, second, ... attempt; at least one
 * @param maxQueueTime how long a message may stay queued
 */
public record RetrySchedule(List<Duration> steps, Duration maxQueueTime) {

    /** {@code 1m,5m,15m,30m,1h,2h,4h} (4h repeating), for at most 5 days. */
    public static final RetrySchedule DEFAULT = parse("1m,5m,15m,30m,1h,2h,4h", Duration.ofDays(5));

    /** Validates and copies. */
    public RetrySchedule {
        steps = List.copyOf(steps);
        if (steps.isEmpty() || steps.stream().anyMatch(d -> d.isNegative() || d.isZero())) {
            throw new IllegalArgumentException("retry steps must be positive, at least one: " + steps);
        }
        Objects.requireNonNull(maxQueueTime, "maxQueueTime");
        if (maxQueueTime.isNegative() || maxQueueTime.isZero()) {
            throw new IllegalArgumentException("maxQueueTime must be positive: " + maxQueueTime);
        }
    }

    /**
     * Parses a schedule written as comma-separated durations with a unit: {@code s}, {@code m}, {@code h}
     * or {@code d} ({@code 1m,5m,1h}).
     *
     * @param steps        the waits
     * @param maxQueueTime how long a message may stay queued
     * @return the schedule
     * @throws IllegalArgumentException when a step is not a positive duration with a unit
     */
    public static RetrySchedule parse(String steps, Duration maxQueueTime) {
        List<Duration> parsed = new ArrayList<>();
        for (String step : steps.split(",")) {
            String s = step.strip().toLowerCase(Locale.ROOT);
            if (!s.matches("\\d{1,9}[smhd]")) {
                throw new IllegalArgumentException("not a retry step (a number and s, m, h or d): '" + step + "'");
            }
            long n = Long.parseLong(s.substring(0, s.length() - 1));
            parsed.add(switch (s.charAt(s.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            });
        }
        return new RetrySchedule(parsed, maxQueueTime);
    }

    /**
     * @param attempts the attempts made so far, at least one
     * @param arrival  when the message was queued
     * @param now      the current time
     * @return when to try next: the step's wait from now, but no later than the deadline while it is ahead
     */
    public Instant nextAttempt(int attempts, Instant arrival, Instant now) {
        Instant next = now.plus(steps.get(Math.min(Math.max(attempts, 1), steps.size()) - 1));
        Instant deadline = deadline(arrival);
        return deadline.isAfter(now) && deadline.isBefore(next) ? deadline : next;
    }

    /**
     * @param arrival when the message was queued
     * @return when a recipient still deferred fails
     */
    public Instant deadline(Instant arrival) {
        return arrival.plus(maxQueueTime);
    }

    /**
     * @param arrival when the message was queued
     * @param now     the current time
     * @return whether a deferred recipient of the message has run out of time
     */
    public boolean expired(Instant arrival, Instant now) {
        return !now.isBefore(deadline(arrival));
    }
}
