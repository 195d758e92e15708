package dev.postern.relay;

import java.util.Objects;

/**
 * The result of one delivery attempt for one recipient.
 *
 * @param address the recipient
 * @param status  delivered, deferred (try again later) or failed (bounce)
 * @param reply   the remote reply that decided it, or Postern's own description (code 0) of a local or
 *                connection failure
 */
public record RecipientOutcome(String address, Status status, RemoteReply reply) {

    /** What the queue does next with the recipient. */
    public enum Status {
        /** The next hop took responsibility (2xx after the data). */
        DELIVERED,
        /** A temporary failure (4xx, connection or proxy failure, timeout): retried on the schedule. */
        DEFERRED,
        /** A permanent failure (5xx): the sender gets a delivery status notification. */
        FAILED
    }

    /** Validates. */
    public RecipientOutcome {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(reply, "reply");
    }
}
