package dev.postern.protocol;

import dev.postern.BodyType;
import dev.postern.Envelope;
import dev.postern.MailParameters;
import dev.postern.Recipient;
import dev.postern.ReversePath;

import java.util.ArrayList;
import java.util.List;

/** The mail transaction in progress: from an accepted MAIL to the end of the message or a reset. */
final class Transaction {

    final ReversePath reversePath;
    final MailParameters mailParameters;
    final BodyType bodyType;
    final boolean smtpUtf8;
    final long declaredSize;
    final List<Recipient> recipients = new ArrayList<>();

    Transaction(ReversePath reversePath, MailParameters mailParameters, BodyType bodyType, boolean smtpUtf8,
                long declaredSize) {
        this.reversePath = reversePath;
        this.mailParameters = mailParameters;
        this.bodyType = bodyType;
        this.smtpUtf8 = smtpUtf8;
        this.declaredSize = declaredSize;
    }

    Envelope envelope() {
        return new Envelope(reversePath, mailParameters, recipients, bodyType, smtpUtf8, declaredSize);
    }
}
