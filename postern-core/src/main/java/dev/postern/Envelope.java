package dev.postern;

import java.util.List;

/**
 * A read-only snapshot of the current transaction's envelope: the reverse path with its MAIL
 * parameters, the accepted recipients, and the BODY / SMTPUTF8 flags (RFC 6152, RFC 6531).
 */
public record Envelope(ReversePath reversePath, MailParameters mailParameters, List<Recipient> recipients,
                       BodyType bodyType, boolean smtpUtf8, long declaredSize) {

    public Envelope {
        recipients = List.copyOf(recipients);
    }

    /** Shortcut: the recipients' paths. */
    public List<ForwardPath> forwardPaths() {
        return recipients.stream().map(Recipient::path).toList();
    }
}
