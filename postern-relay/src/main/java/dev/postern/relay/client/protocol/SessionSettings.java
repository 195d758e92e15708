package dev.postern.relay.client.protocol;

import dev.postern.relay.client.RelayTimeouts;
import dev.postern.relay.client.TlsMode;

import java.util.Objects;

/**
 * What the dialogue needs from the configuration.
 *
 * @param helo         the name sent with EHLO, HELO or LHLO
 * @param lmtp         LHLO and one reply per recipient (RFC 2033) instead of SMTP
 * @param tls          when to use STARTTLS
 * @param authUser     the AUTH user, or null for no AUTH
 * @param authPassword the AUTH password, or null
 * @param timeouts     every wait's bound
 */
public record SessionSettings(String helo, boolean lmtp, TlsMode tls, String authUser, String authPassword,
                              RelayTimeouts timeouts) {

    /** Validates. */
    public SessionSettings {
        Objects.requireNonNull(helo, "helo");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(timeouts, "timeouts");
        if ((authUser == null) != (authPassword == null)) {
            throw new IllegalArgumentException("AUTH needs both a user and a password");
        }
    }

    /** @return the password kept out of logs and exceptions */
    @Override
    public String toString() {
        return "SessionSettings[helo=" + helo + ", lmtp=" + lmtp + ", tls=" + tls + ", authUser=" + authUser + "]";
    }
}
