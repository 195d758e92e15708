package dev.postern.tls;

/** Whether STARTTLS (RFC 3207) is offered on plain connections, and whether clients must use it. */
public enum StartTlsMode {
    /** Never offered; the command gets 502. */
    OFF,
    /** Offered in EHLO when TLS is configured; clients may go on without it (opportunistic TLS). */
    OPTIONAL,
    /**
     * Offered, and required: MAIL and AUTH before STARTTLS get {@code 530 5.7.0} (RFC 3207 4). For
     * submission servers; public MX servers must not require it (RFC 3207 4).
     */
    REQUIRED
}
