package dev.postern.relay.queue;

import dev.postern.SmtpRejection;
import dev.postern.SmtpReply;

/**
 * The queue holds as many messages or octets as it may: thrown by {@link MailQueue#enqueue}. It is the
 * rejection the SMTP server answers with, {@code 452 4.3.1} (RFC 3463 X.3.1, mail system full), so an
 * {@code onMessage} hook can let it through and the client tries again later.
 */
public final class QueueFullException extends SmtpRejection {

    QueueFullException(String why) {
        super(SmtpReply.of(452, "4.3.1", "Queue full (" + why + "), try again later"));
    }
}
