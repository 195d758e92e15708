package dev.postern;

/**
 * How strictly the paths of MAIL FROM and RCPT TO are read ({@link SmtpServerConfig.Builder#pathSyntax}).
 */
public enum PathSyntax {

    /**
     * RFC 5321 4.1.2: a path is in angle brackets ({@code MAIL FROM:<user@example.org>}); one without
     * them gets {@code 501 5.1.7} (MAIL) or {@code 501 5.1.3} (RCPT). The default.
     */
    STRICT,

    /**
     * Also accepts a path without angle brackets ({@code MAIL FROM:user@example.org}), as Postfix does
     * by default ({@code strict_rfc821_envelopes = no}), for broken clients. The address itself must
     * still be valid, and ESMTP parameters may follow it after a space; {@code <>} is still the only
     * way to write the null reverse-path.
     */
    LENIENT
}
