package dev.postern.relay.queue;

import dev.postern.relay.RemoteReply;

import java.time.Instant;
import java.util.Objects;

/**
 * One delivery attempt of one recipient, as its history keeps it (the last
 * {@value RecipientState#HISTORY_LIMIT} per recipient).
 *
 * @param time    when the attempt ended
 * @param outcome what it left the recipient in: {@link RecipientState.Status#DEFERRED DEFERRED},
 *                {@link RecipientState.Status#DELIVERED DELIVERED} or {@link RecipientState.Status#FAILED FAILED}
 * @param reply   the next hop's reply, or Postern's own description of a failure without one (code 0)
 * @param remote  the host tried ({@code name[address]:port}), or empty when none was reached
 * @param proxy   the proxy used ({@code PRX=[address]:port}), or empty for a direct connection
 */
public record DeliveryAttempt(Instant time, RecipientState.Status outcome, RemoteReply reply, String remote,
                              String proxy) {

    /** Validates. */
    public DeliveryAttempt {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(reply, "reply");
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(proxy, "proxy");
    }
}
