package dev.postern;

/** The MAIL FROM BODY= parameter (RFC 6152 8BITMIME, RFC 3030 BINARYMIME is not offered). */
public enum BodyType {
    /** No BODY parameter was given. */
    UNSPECIFIED,
    /** {@code BODY=7BIT}: the content is declared 7-bit ASCII. */
    SEVEN_BIT,
    /** {@code BODY=8BITMIME}: the content may hold octets above 127 (RFC 6152). */
    EIGHT_BIT_MIME
}
