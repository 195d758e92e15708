package dev.postern.relay;

import java.util.List;
import java.util.Objects;

/**
 * One delivery attempt: a queued message for the recipients of one route.
 *
 * @param queueId      the message's queue id, for log lines
 * @param sender       the envelope sender, empty for the null reverse path {@code <>}
 * @param recipients   the recipients to attempt, all of one route, at least one
 * @param route        the route key, as {@link OutboundTransport#route} gave it
 * @param size         the content's size in octets (for the SIZE parameter)
 * @param eightBitMime whether the message was received with BODY=8BITMIME
 * @param smtpUtf8     whether the message was received with SMTPUTF8
 * @param content      the message content, opened as often as an attempt needs
 */
public record DeliveryRequest(String queueId, String sender, List<OutboundRecipient> recipients, String route,
                              long size, boolean eightBitMime, boolean smtpUtf8, MessageContent content) {

    /** Validates and copies. */
    public DeliveryRequest {
        Objects.requireNonNull(queueId, "queueId");
        Objects.requireNonNull(sender, "sender");
        recipients = List.copyOf(recipients);
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("a delivery needs at least one recipient");
        }
        Objects.requireNonNull(route, "route");
        Objects.requireNonNull(content, "content");
    }
}
