package dev.postern;

/** The MAIL FROM BODY= parameter (RFC 6152 8BITMIME, RFC 3030 BINARYMIME is not offered). */
public enum BodyType {
    /** No BODY parameter was given. */
    UNSPECIFIED,
    SEVEN_BIT,
    EIGHT_BIT_MIME
}
