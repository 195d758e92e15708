package dev.postern.relay.queue;

import java.util.Locale;

/** The RFC 3461 4.3 RET parameter: what a failure notification returns of the message. */
public enum DsnReturn {
    /** {@code RET=FULL}: the whole message (within the queue's bound, else its header). */
    FULL,
    /** {@code RET=HDRS}: the header only. */
    HDRS;

    /**
     * Parses a RET value.
     *
     * @param value the parameter value, case-insensitive, or null
     * @return the value, or null when none was given
     * @throws IllegalArgumentException when it is neither FULL nor HDRS
     */
    public static DsnReturn parse(String value) {
        return value == null ? null : valueOf(value.toUpperCase(Locale.ROOT));
    }
}
