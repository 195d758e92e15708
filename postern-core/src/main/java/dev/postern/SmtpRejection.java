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

    /** The reply sent to the client. */
    private final SmtpReply reply;

    /**
     * A rejection answering with {@code reply}. The command is refused whatever the code, so it should
     * be 4xx or 5xx.
     *
     * @param reply the reply to send
     * @throws NullPointerException if {@code reply} is null
     */
    public SmtpRejection(SmtpReply reply) {
        super(reply.toString(), null, false, false);
        this.reply = reply;
    }

    /**
     * A rejection with a one-line reply.
     *
     * @param code           the reply code, usually 4xx (try again later) or 5xx (do not retry)
     * @param enhancedStatus the RFC 3463 status, e.g. {@code "5.1.1"}, matching the code's class; null for none
     * @param text           the reply text, without CR or LF
     * @return the rejection, to throw
     * @throws IllegalArgumentException as {@link SmtpReply#of(int, String, String)}
     */
    public static SmtpRejection of(int code, String enhancedStatus, String text) {
        return new SmtpRejection(SmtpReply.of(code, enhancedStatus, text));
    }

    /**
     * The same rejection, closing the connection after the reply.
     *
     * @return a new rejection whose reply closes the connection
     */
    public SmtpRejection andClose() {
        return new SmtpRejection(reply.andClose());
    }

    /**
     * The reply sent to the client.
     *
     * @return the reply, never null
     */
    public SmtpReply reply() {
        return reply;
    }
}
