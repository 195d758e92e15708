package dev.postern.server;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them: {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 1d}, or
 * combined such as {@code 1m30s}; ISO-8601 ({@code PT5M}) is accepted too. A bare number is refused
 * because its unit would be a guess, but for {@code 0}, which is zero in any unit.
 */
final class DurationText {

    private static final Pattern WHOLE = Pattern.compile("(\\d+(ms|s|m|h|d))+");
    private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private DurationText() {
    }

    static Duration parse(String text) {
        String t = text.strip();
        if (t.equals("0")) {
            return Duration.ZERO;
        }
        if (t.length() > 1 && (t.charAt(0) == 'P' || t.charAt(0) == 'p')) {
            try {
                return Duration.parse(t);
            } catch (DateTimeParseException e) {
                throw invalid(text, e);
            }
        }
        if (!WHOLE.matcher(t).matches()) {
            throw invalid(text, null);
        }
        Duration total = Duration.ZERO;
        Matcher part = PART.matcher(t);
        try {
            while (part.find()) {
                long n = Long.parseLong(part.group(1));
                total = total.plus(switch (part.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                });
            }
        } catch (ArithmeticException | NumberFormatException e) {
            throw invalid(text, e);
        }
        return total;
    }

    private static IllegalArgumentException invalid(String text, Exception cause) {
        return new IllegalArgumentException(
                "'" + text + "' is not a duration (examples: 500ms, 5s, 2m, 1h, 1m30s, PT5M)", cause);
    }
}
