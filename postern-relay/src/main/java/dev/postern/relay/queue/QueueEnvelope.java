package dev.postern.relay.queue;

import dev.postern.BodyType;
import dev.postern.Envelope;
import dev.postern.Recipient;
import dev.postern.relay.OutboundRecipient;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What the queue keeps of a message's envelope: the sender, the recipients with their RFC 3461 NOTIFY
 * and ORCPT, the message's RET and ENVID, and the BODY / SMTPUTF8 flags the next hop must be offered.
 *
 * @param sender     the reverse path's address, empty for the null sender {@code <>}
 * @param recipients the recipients, at least one
 * @param ret        RET, or null when none was given
 * @param envid      ENVID as received (xtext), or null
 * @param bodyType   the BODY parameter
 * @param smtpUtf8   whether the message was received with SMTPUTF8
 */
public record QueueEnvelope(String sender, List<OutboundRecipient> recipients, DsnReturn ret, String envid,
                            BodyType bodyType, boolean smtpUtf8) {

    /** Validates and copies. */
    public QueueEnvelope {
        Objects.requireNonNull(sender, "sender");
        recipients = List.copyOf(recipients);
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("a queued message needs at least one recipient");
        }
        Objects.requireNonNull(bodyType, "bodyType");
    }

    /**
     * A plain envelope: no DSN parameters, no BODY, no SMTPUTF8.
     *
     * @param sender     the sender's address, empty for {@code <>}
     * @param recipients the recipients' addresses
     * @return the envelope
     */
    public static QueueEnvelope of(String sender, List<String> recipients) {
        return new QueueEnvelope(sender, recipients.stream().map(OutboundRecipient::of).toList(), null, null,
                BodyType.UNSPECIFIED, false);
    }

    /**
     * The envelope of a message the server received, with the DSN parameters (RET, ENVID, NOTIFY, ORCPT)
     * taken from the MAIL and RCPT parameters when the client gave them.
     *
     * @param envelope the envelope, as {@code onMessage} sees it (or a copy with fewer recipients)
     * @return the queue's envelope
     */
    public static QueueEnvelope from(Envelope envelope) {
        List<OutboundRecipient> recipients = envelope.recipients().stream().map(QueueEnvelope::recipient).toList();
        String ret = envelope.mailParameters().get("RET").orElse("").toUpperCase(Locale.ROOT);
        return new QueueEnvelope(envelope.reversePath().address(), recipients,
                switch (ret) {
                    case "FULL" -> DsnReturn.FULL;
                    case "HDRS" -> DsnReturn.HDRS;
                    default -> null;
                },
                envelope.mailParameters().get("ENVID").orElse(null), envelope.bodyType(), envelope.smtpUtf8());
    }

    private static OutboundRecipient recipient(Recipient r) {
        return new OutboundRecipient(r.path().address(), r.parameters().get("NOTIFY").orElse(null),
                r.parameters().get("ORCPT").orElse(null));
    }
}
