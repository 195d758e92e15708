package dev.postern;

import java.util.Objects;

/**
 * An RFC 3463 enhanced status code such as {@code 5.1.1}: class, subject and detail.
 *
 * @param statusClass 2 (success), 4 (persistent transient failure) or 5 (permanent failure)
 * @param subject     what the status is about, 0..999, e.g. 1 for addressing, 7 for security (RFC 3463 3)
 * @param detail      the precise status within the subject, 0..999
 */
public record EnhancedStatus(int statusClass, int subject, int detail) {

    /**
     * Checks the ranges of RFC 3463 2.
     *
     * @throws IllegalArgumentException if the class is not 2, 4 or 5, or subject or detail is outside 0..999
     */
    public EnhancedStatus {
        if (statusClass != 2 && statusClass != 4 && statusClass != 5) {
            throw new IllegalArgumentException("enhanced status class must be 2, 4 or 5: " + statusClass);
        }
        // RFC 3463 2: subject and detail are 1 to 3 digits.
        if (subject < 0 || subject > 999 || detail < 0 || detail > 999) {
            throw new IllegalArgumentException("enhanced status subject/detail out of range");
        }
    }

    /**
     * Parses the dotted form.
     *
     * @param text three dot-separated numbers, e.g. {@code "5.1.1"}
     * @return the status
     * @throws IllegalArgumentException if {@code text} is not three numbers in the ranges above
     * @throws NullPointerException     if {@code text} is null
     */
    public static EnhancedStatus parse(String text) {
        Objects.requireNonNull(text, "text");
        String[] parts = text.split("\\.", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("not an enhanced status code: " + text);
        }
        try {
            return new EnhancedStatus(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an enhanced status code: " + text, e);
        }
    }

    @Override
    public String toString() {
        return statusClass + "." + subject + "." + detail;
    }
}
