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
 * @param dsnRet       the RFC 3461 RET value as received ({@code FULL} or {@code HDRS}), or null when none was given
 * @param dsnEnvid     the RFC 3461 ENVID value as received (xtext), or null; RET and ENVID go on to a next hop
 *                     that offers DSN (RFC 3461 5.2.1)
 */
public record DeliveryRequest(String queueId, String sender, List<OutboundRecipient> recipients, String route,
                              long size, boolean eightBitMime, boolean smtpUtf8, MessageContent content,
                              String dsnRet, String dsnEnvid) {

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

    /**
     * A request without RET and ENVID.
     *
     * @param queueId      the message's queue id
     * @param sender       the envelope sender, empty for {@code <>}
     * @param recipients   the recipients, all of one route
     * @param route        the route key
     * @param size         the content's size in octets
     * @param eightBitMime whether the message was received with BODY=8BITMIME
     * @param smtpUtf8     whether the message was received with SMTPUTF8
     * @param content      the message content
     */
    public DeliveryRequest(String queueId, String sender, List<OutboundRecipient> recipients, String route,
                           long size, boolean eightBitMime, boolean smtpUtf8, MessageContent content) {
        this(queueId, sender, recipients, route, size, eightBitMime, smtpUtf8, content, null, null);
    }
}
