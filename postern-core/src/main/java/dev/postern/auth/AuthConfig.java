package dev.postern.auth;

import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * SMTP AUTH (RFC 4954) settings: which SASL mechanisms are offered, whether clients must authenticate
 * before MAIL, and whether AUTH may happen without TLS.
 *
 * @param mechanisms     offered in EHLO, in this order; empty: AUTH is not offered (502)
 * @param required       MAIL before a successful AUTH gets {@code 530 5.7.0} (for submission servers)
 * @param allowPlaintext offer AUTH on connections without TLS too; off by default, because PLAIN and
 *                       LOGIN would send passwords in clear (RFC 4954 4: {@code 538 5.7.11} otherwise)
 */
public record AuthConfig(List<AuthMechanism> mechanisms, boolean required, boolean allowPlaintext) {

    /** AUTH not offered. */
    public static final AuthConfig NONE = new AuthConfig(List.of(), false, false);

    /**
     * Validates the settings and copies the mechanism list.
     *
     * @throws IllegalArgumentException if a mechanism is listed twice, or AUTH is required with no mechanism
     * @throws NullPointerException     if {@code mechanisms} is or holds null
     */
    public AuthConfig {
        Set<AuthMechanism> seen = EnumSet.noneOf(AuthMechanism.class);
        for (AuthMechanism m : mechanisms) {
            if (!seen.add(Objects.requireNonNull(m, "mechanism"))) {
                throw new IllegalArgumentException("AUTH mechanism listed twice: " + m.wireName());
            }
        }
        mechanisms = List.copyOf(mechanisms);
        if (required && mechanisms.isEmpty()) {
            throw new IllegalArgumentException("AUTH is required but no mechanism is offered");
        }
    }

    /**
     * Offers these mechanisms, optional, only over TLS.
     *
     * @param mechanisms the mechanisms, in the order EHLO lists them; none means AUTH is not offered
     * @return the settings
     * @throws IllegalArgumentException if a mechanism is listed twice
     */
    public static AuthConfig of(AuthMechanism... mechanisms) {
        return new AuthConfig(List.of(mechanisms), false, false);
    }

    /**
     * Whether AUTH is configured at all; it is still offered only over TLS unless {@link #allowPlaintext()}.
     *
     * @return true if there is at least one mechanism
     */
    public boolean enabled() {
        return !mechanisms.isEmpty();
    }

    /**
     * The same, with AUTH required before MAIL.
     *
     * @return a copy with {@code required} set
     * @throws IllegalArgumentException if there is no mechanism
     */
    public AuthConfig andRequired() {
        return new AuthConfig(mechanisms, true, allowPlaintext);
    }

    /**
     * The same, offered on connections without TLS too.
     *
     * @return a copy with {@code allowPlaintext} set
     */
    public AuthConfig andAllowPlaintext() {
        return new AuthConfig(mechanisms, required, true);
    }
}
