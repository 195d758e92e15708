package dev.postern.server;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Octet counts as people write them: {@code 1048576}, {@code 512K}, {@code 25M}, {@code 25MiB},
 * {@code 1G}. K, M, G and KiB, MiB, GiB are powers of 1024 (as in Exim and most mail software);
 * KB, MB, GB are powers of 1000. Units are case-insensitive.
 */
final class ByteSize {

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([a-z]*)", Pattern.CASE_INSENSITIVE);

    private static final Map<String, Long> UNITS = Map.ofEntries(
            Map.entry("", 1L), Map.entry("b", 1L),
            Map.entry("k", 1L << 10), Map.entry("kib", 1L << 10), Map.entry("kb", 1_000L),
            Map.entry("m", 1L << 20), Map.entry("mib", 1L << 20), Map.entry("mb", 1_000_000L),
            Map.entry("g", 1L << 30), Map.entry("gib", 1L << 30), Map.entry("gb", 1_000_000_000L));

    private ByteSize() {
    }

    static long parse(String text) {
        Matcher m = SIZE.matcher(text.strip());
        Long unit = m.matches() ? UNITS.get(m.group(2).toLowerCase(Locale.ROOT)) : null;
        if (unit == null) {
            throw new IllegalArgumentException("'" + text + "' is not a size (examples: 1048576, 512K, 25M, 25MiB, 1G)");
        }
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is too large a size", e);
        }
    }
}
