package dev.postern;

/**
 * Thrown by a hook to answer with an SMTP error reply instead of going on.
 *
 * <pre>{@code throw SmtpRejection.of(550, "5.1.1", "No such user"); }</pre>
 *
 * A 421 reply (or one built with {@link #andClose()}) closes the connection after it is sent.
 * Stack traces are not filled in: a rejection is an answer, not a failure.
 */
public class SmtpRejection extends RuntimeException {

    private final SmtpReply reply;

    public SmtpRejection(SmtpReply reply) {
        super(reply.toString(), null, false, false);
        this.reply = reply;
    }

    public static SmtpRejection of(int code, String enhancedStatus, String text) {
        return new SmtpRejection(SmtpReply.of(code, enhancedStatus, text));
    }

    /** The same rejection, closing the connection after the reply. */
    public SmtpRejection andClose() {
        return new SmtpRejection(reply.andClose());
    }

    public SmtpReply reply() {
        return reply;
    }
}
