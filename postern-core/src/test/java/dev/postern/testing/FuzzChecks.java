package dev.postern.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Invariants the fuzz tests share: what a well-formed SMTP reply stream is, and where to cut an input
 * when it is delivered in pieces. Failures are {@link AssertionError}s, which Jazzer reports as findings.
 */
public final class FuzzChecks {

    // RFC 5321 4.2: code (2yz..5yz), '-' or ' ', printable text; RFC 2034: an enhanced status matching the class
    private static final Pattern REPLY_LINE = Pattern.compile("[2-5][0-5][0-9]([ -][\\x20-\\x7e\\x80-\\x{10FFFF}]*)?");

    private FuzzChecks() {
    }

    /** One complete reply: its code and whether it closes (its first line starts with 421 or 221 or the like). */
    public record Reply(int code, List<String> lines) {
        public String last() {
            return lines.getLast();
        }
    }

    /**
     * Splits {@code wire} into replies and fails unless every line is a reply line ending in CRLF, every
     * multi-line reply keeps one code, and the stream ends at the end of a reply.
     */
    public static List<Reply> replies(String wire) {
        List<Reply> replies = new ArrayList<>();
        List<String> current = new ArrayList<>();
        int code = -1;
        int at = 0;
        while (at < wire.length()) {
            int crlf = wire.indexOf("\r\n", at);
            check(crlf >= 0, "reply stream ends without CRLF: " + show(wire.substring(at)));
            String line = wire.substring(at, crlf);
            at = crlf + 2;
            check(REPLY_LINE.matcher(line).matches(), "not a reply line: " + show(line));
            check(line.indexOf('\r') < 0 && line.indexOf('\n') < 0 && line.indexOf(0) < 0, "control character in reply: " + show(line));
            int lineCode = Integer.parseInt(line.substring(0, 3));
            check(code < 0 || code == lineCode, "code changed within a reply: " + show(line));
            code = lineCode;
            current.add(line);
            if (line.length() == 3 || line.charAt(3) == ' ') {
                replies.add(new Reply(code, List.copyOf(current)));
                current.clear();
                code = -1;
            }
        }
        check(current.isEmpty(), "reply stream ends inside a multi-line reply: " + current);
        return replies;
    }

    /** Cut points for split delivery, derived from the input itself so that a finding replays exactly. */
    public static int[] cuts(byte[] input, int pieces) {
        int n = input.length;
        int[] cuts = new int[Math.max(0, Math.min(pieces, n - 1))];
        int h = 0x9E3779B9;
        for (byte b : input) {
            h = h * 31 + b;
        }
        for (int i = 0; i < cuts.length; i++) {
            h ^= h << 13;
            h ^= h >>> 17;
            h ^= h << 5;
            cuts[i] = 1 + Math.floorMod(h, n - 1);
        }
        java.util.Arrays.sort(cuts);
        return cuts;
    }

    public static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }

    /** Text for a failure message: short, with control characters escaped. */
    public static String show(String s) {
        StringBuilder b = new StringBuilder();
        String cut = s.length() > 200 ? s.substring(0, 200) + "..." : s;
        for (char c : cut.toCharArray()) {
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    public static String show(byte[] bytes) {
        return show(new String(bytes, StandardCharsets.ISO_8859_1));
    }
}
