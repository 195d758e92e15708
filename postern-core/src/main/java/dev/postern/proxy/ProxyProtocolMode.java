package dev.postern.proxy;

import java.util.Locale;

/**
 * Whether a listener expects a PROXY protocol header from its trusted sources.
 *
 * <p>The header is only ever read from a {@link TrustedSources trusted} peer: the HAProxy spec (section 5)
 * forbids guessing, since an untrusted client could otherwise spoof its address.
 */
public enum ProxyProtocolMode {
    /** No header is read: the connection is SMTP from its first byte. */
    OFF,
    /** A trusted peer may send a header; when its first bytes are not one, the connection is plain SMTP. */
    OPTIONAL,
    /** A trusted peer must send a header; a connection without a valid one is closed. */
    REQUIRED;

    /**
     * Parses {@code off}, {@code optional} or {@code required}, ignoring case and surrounding blanks.
     *
     * @param text the mode's name; null is refused like any other value
     * @return the mode
     * @throws IllegalArgumentException for any other value
     */
    public static ProxyProtocolMode parse(String text) {
        String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "off" -> OFF;
            case "optional" -> OPTIONAL;
            case "required" -> REQUIRED;
            default -> throw new IllegalArgumentException(
                    "proxy protocol mode must be off, optional or required: '" + text + "'");
        };
    }
}
