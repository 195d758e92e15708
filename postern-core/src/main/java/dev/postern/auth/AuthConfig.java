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

    /** Offers these mechanisms, optional, only over TLS. */
    public static AuthConfig of(AuthMechanism... mechanisms) {
        return new AuthConfig(List.of(mechanisms), false, false);
    }

    public boolean enabled() {
        return !mechanisms.isEmpty();
    }

    /** The same, with AUTH required before MAIL. */
    public AuthConfig andRequired() {
        return new AuthConfig(mechanisms, true, allowPlaintext);
    }

    /** The same, offered on connections without TLS too. */
    public AuthConfig andAllowPlaintext() {
        return new AuthConfig(mechanisms, required, true);
    }
}
