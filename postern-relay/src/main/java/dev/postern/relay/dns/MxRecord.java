package dev.postern.relay.dns;

import java.util.Objects;

/**
 * One MX record of a domain.
 *
 * @param preference lower is tried first (RFC 5321 5.1)
 * @param exchange   the mail host's name without the trailing dot; {@code "."} for RFC 7505's null MX
 */
public record MxRecord(int preference, String exchange) {

    /** Validates. */
    public MxRecord {
        Objects.requireNonNull(exchange, "exchange");
    }

    /** @return whether this is RFC 7505's null MX: the root as exchange ("this domain takes no mail") */
    public boolean isNull() {
        return exchange.equals(".") || exchange.isEmpty();
    }
}
