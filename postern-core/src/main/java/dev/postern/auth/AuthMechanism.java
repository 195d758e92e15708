package dev.postern.auth;

import java.util.Locale;
import java.util.Optional;

/** The SASL mechanisms the server can offer with AUTH (RFC 4954). */
public enum AuthMechanism {
    /** RFC 4616: authorization id, user name and password in one base64 message. Only over TLS, by default. */
    PLAIN("PLAIN"),
    /** The widely used (never standardized) LOGIN: user name and password, each after its own prompt. */
    LOGIN("LOGIN"),
    /** RFC 2195: an HMAC-MD5 of a server challenge; the password never crosses the wire, but the server must know it in clear. */
    CRAM_MD5("CRAM-MD5"),
    /** Google's XOAUTH2: a user name and an OAuth 2.0 bearer token. */
    XOAUTH2("XOAUTH2");

    private final String wireName;

    AuthMechanism(String wireName) {
        this.wireName = wireName;
    }

    /**
     * The name in EHLO and in the AUTH command.
     *
     * @return the registered SASL name, e.g. {@code CRAM-MD5}
     */
    public String wireName() {
        return wireName;
    }

    /**
     * The mechanism named {@code name} on the wire (case-insensitive), if known.
     *
     * @param name a SASL mechanism name, e.g. {@code "plain"}
     * @return the mechanism, or empty when the server does not implement it
     */
    public static Optional<AuthMechanism> byWireName(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        for (AuthMechanism m : values()) {
            if (m.wireName.equals(upper)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }
}
