package dev.postern.relay;

import java.util.Objects;

/**
 * A recipient of a delivery attempt, with the RFC 3461 DSN parameters to pass on when the next hop offers DSN.
 *
 * @param address the recipient's address ({@code local@domain})
 * @param dsnNotify the NOTIFY value as received (e.g. {@code SUCCESS,FAILURE}), or null when none was given
 * @param dsnOrcpt  the ORCPT value as received (e.g. {@code rfc822;user@example.org}), or null
 */
public record OutboundRecipient(String address, String dsnNotify, String dsnOrcpt) {

    /** Validates. */
    public OutboundRecipient {
        Objects.requireNonNull(address, "address");
    }

    /**
     * A recipient without DSN parameters.
     *
     * @param address the recipient's address
     * @return the recipient
     */
    public static OutboundRecipient of(String address) {
        return new OutboundRecipient(address, null, null);
    }
}
