package dev.postern;

import java.util.Locale;

/** RFC 3461 4.3 RET on MAIL FROM: what a failure notification should return of the message. */
public enum DsnReturn {
    /** {@code RET=FULL}: the whole message. */
    FULL,
    /** {@code RET=HDRS}: its header only. */
    HEADERS;

    /**
     * Parses a RET value.
     *
     * @param value {@code FULL} or {@code HDRS}, any case
     * @return the value
     * @throws IllegalArgumentException if it is neither
     * @throws NullPointerException     if {@code value} is null
     */
    public static DsnReturn parse(String value) {
        return switch (value.toUpperCase(Locale.ROOT)) {
            case "FULL" -> FULL;
            case "HDRS" -> HEADERS;
            default -> throw new IllegalArgumentException("RET must be FULL or HDRS: " + value);
        };
    }

    /**
     * The value as written on the wire.
     *
     * @return {@code FULL} or {@code HDRS}
     */
    public String wireValue() {
        return this == FULL ? "FULL" : "HDRS";
    }
}
