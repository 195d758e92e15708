package dev.postern;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * xtext (RFC 3461 4), the encoding of the DSN parameters ENVID and ORCPT: printable US-ASCII but
 * {@code +} and {@code =} as they are, any other octet as {@code +XX} (upper-case hex).
 */
public final class Xtext {

    private Xtext() {
    }

    /**
     * Decodes xtext. Octets from {@code +XX} escapes are read as UTF-8 (RFC 6533 lets addresses in ORCPT
     * be UTF-8); lower-case hex digits are accepted though senders must write upper case.
     *
     * @param xtext the encoded text
     * @return the decoded text
     * @throws IllegalArgumentException if a character is not allowed in xtext (a space, a control, a
     *                                  non-ASCII character, {@code =}) or a {@code +} is not followed by two
     *                                  hex digits
     * @throws NullPointerException     if {@code xtext} is null
     */
    public static String decode(String xtext) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(xtext.length());
        for (int i = 0; i < xtext.length(); i++) {
            char c = xtext.charAt(i);
            if (c == '+') {
                int hi = i + 2 < xtext.length() ? hex(xtext.charAt(i + 1)) : -1;
                int lo = i + 2 < xtext.length() ? hex(xtext.charAt(i + 2)) : -1;
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException("xtext '+' must be followed by two hex digits");
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else if (c < '!' || c > '~' || c == '=') {
                throw new IllegalArgumentException("character not allowed in xtext: " + (c < '!' || c > '~'
                        ? String.format("U+%04X", (int) c) : "'" + c + "'"));
            } else {
                out.write(c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * Encodes text as xtext; characters outside printable ASCII are encoded as the {@code +XX} escapes of
     * their UTF-8 octets.
     *
     * @param text the text
     * @return its xtext
     * @throws NullPointerException if {@code text} is null
     */
    public static String encode(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= '!' && c <= '~' && c != '+' && c != '=') {
                out.append((char) c);
            } else {
                out.append('+').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    // Character.digit would also take non-ASCII digits.
    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return -1;
    }
}
