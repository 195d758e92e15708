package dev.postern;

import java.util.List;
import java.util.Optional;

/**
 * A read-only snapshot of the current transaction's envelope: the reverse path with its MAIL
 * parameters, the accepted recipients, and the BODY / SMTPUTF8 flags (RFC 6152, RFC 6531).
 *
 * @param reversePath    the MAIL FROM path, as {@link SmtpHandler#onMailFrom} left it
 * @param mailParameters the MAIL FROM command's ESMTP parameters, as the client sent them
 * @param recipients     the recipients accepted so far, in RCPT order (an unmodifiable copy)
 * @param bodyType       the BODY= parameter, {@link BodyType#UNSPECIFIED} when absent
 * @param smtpUtf8       whether MAIL FROM carried SMTPUTF8 (RFC 6531 3.4)
 * @param declaredSize   the SIZE= value in octets (RFC 1870), or -1 when absent; the client's estimate,
 *                       not the actual size
 */
public record Envelope(ReversePath reversePath, MailParameters mailParameters, List<Recipient> recipients,
                       BodyType bodyType, boolean smtpUtf8, long declaredSize) {

    /**
     * Copies {@code recipients}.
     *
     * @throws NullPointerException if {@code recipients} is null or holds a null
     */
    public Envelope {
        recipients = List.copyOf(recipients);
    }

    /**
     * Shortcut for the recipients' paths.
     *
     * @return each recipient's forward path, in RCPT order
     */
    public List<ForwardPath> forwardPaths() {
        return recipients.stream().map(Recipient::path).toList();
    }

    /**
     * RFC 3461 4.3 RET: what a failure notification should return of the message.
     *
     * @return the RET given on MAIL FROM, or empty when none was
     */
    public Optional<DsnReturn> dsnReturn() {
        return mailParameters.get("RET").map(DsnReturn::parse);
    }

    /**
     * RFC 3461 4.4 ENVID: the sender's identifier for this transaction, for its notifications.
     *
     * @return the ENVID given on MAIL FROM, xtext-decoded, or empty when none was
     */
    public Optional<String> envelopeId() {
        return mailParameters.get("ENVID").map(Xtext::decode);
    }
}
