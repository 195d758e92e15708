package dev.postern.proxy.internal;

/** Decoding of xtext, the encoding of XCLIENT / XFORWARD attribute values (RFC 3461 section 4). */
final class Xtext {

    private Xtext() {
    }

    /**
     * Decodes {@code text}: "+XX" is the octet with hex value XX, and every other character must be a
     * printable US-ASCII character other than "+" and "=". Lower-case hex digits are accepted, though
     * RFC 3461 asks senders for upper case.
     *
     * @throws IllegalArgumentException when the text is not valid xtext
     */
    static String decode(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '+') {
                if (i + 2 >= text.length()) {
                    throw new IllegalArgumentException("xtext '+' must be followed by two hex digits");
                }
                int hi = hex(text.charAt(i + 1));
                int lo = hex(text.charAt(i + 2));
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException("xtext '+' must be followed by two hex digits");
                }
                out.append((char) (hi * 16 + lo));
                i += 2;
            } else if (c < '!' || c > '~' || c == '=') {
                throw new IllegalArgumentException("character not allowed in xtext: " + (c < '!' || c > '~'
                        ? String.format("0x%02X", (int) c) : "'" + c + "'"));
            } else {
                out.append(c);
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
