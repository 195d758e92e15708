package dev.postern;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * RFC 3461 4.1 NOTIFY on RCPT TO: the events the sender asks to be told about for a recipient.
 * {@code NOTIFY=NEVER} is the empty set; see {@link Recipient#dsnNotify()}.
 */
public enum DsnNotify {
    /** The message was delivered (or relayed to a hop that does not report). */
    SUCCESS,
    /** The message could not be delivered. */
    FAILURE,
    /** Delivery is delayed. */
    DELAY;

    /**
     * Parses a NOTIFY value: {@code NEVER}, or one or more of {@code SUCCESS}, {@code FAILURE},
     * {@code DELAY} separated by commas, each at most once (any case).
     *
     * @param value the parameter value
     * @return the events asked for; empty for NEVER
     * @throws IllegalArgumentException if the value is not of that form (NEVER with another keyword, an
     *                                  unknown or repeated keyword, an empty item)
     * @throws NullPointerException     if {@code value} is null
     */
    public static Set<DsnNotify> parse(String value) {
        String upper = value.toUpperCase(Locale.ROOT);
        if (upper.equals("NEVER")) {
            return Set.of();
        }
        EnumSet<DsnNotify> events = EnumSet.noneOf(DsnNotify.class);
        for (String item : upper.split(",", -1)) {
            DsnNotify n = switch (item) {
                case "SUCCESS" -> SUCCESS;
                case "FAILURE" -> FAILURE;
                case "DELAY" -> DELAY;
                case "NEVER" -> throw new IllegalArgumentException("NOTIFY=NEVER must stand alone");
                default -> throw new IllegalArgumentException("NOTIFY takes NEVER or SUCCESS, FAILURE, DELAY: " + value);
            };
            if (!events.add(n)) {
                throw new IllegalArgumentException("NOTIFY lists " + n + " twice");
            }
        }
        return Set.copyOf(events);
    }
}
