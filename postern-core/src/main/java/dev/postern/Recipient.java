package dev.postern;

import java.util.Optional;
import java.util.Set;

/**
 * One accepted recipient: its (possibly rewritten) forward path and its RCPT parameters.
 *
 * @param path       the forward path, as {@link SmtpHandler#onRcptTo} left it
 * @param parameters the RCPT command's ESMTP parameters; {@link MailParameters#NONE} when none were given
 */
public record Recipient(ForwardPath path, MailParameters parameters) {

    /**
     * RFC 3461 4.1 NOTIFY: which events the sender asked to be told about for this recipient.
     *
     * @return the events; an empty set for {@code NOTIFY=NEVER}; empty when NOTIFY was not given (a
     *         relay then reports failures, RFC 3461 4.1 leaving the default to the MTA)
     */
    public Optional<Set<DsnNotify>> dsnNotify() {
        return parameters.get("NOTIFY").map(DsnNotify::parse);
    }

    /**
     * RFC 3461 4.2 ORCPT: the recipient as the original sender addressed it.
     *
     * @return the original recipient, or empty when ORCPT was not given
     */
    public Optional<OriginalRecipient> originalRecipient() {
        return parameters.get("ORCPT").map(OriginalRecipient::parse);
    }
}
