package dev.postern;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What an LMTP server answers after a message's content: one reply per accepted recipient, in RCPT order
 * (RFC 2033 4.2), so that a message can be delivered to some recipients and refused, now or for good, for
 * others. {@link SmtpHandler#onLmtpMessage} decides them: each recipient it does not {@link #reject} gets
 * {@code 250 2.0.0} when the hook returns normally; when the hook throws, every recipient gets the hook's
 * outcome instead (its rejection, or {@code 451 4.3.0}), whatever was rejected before.
 * <p>
 * A recipient named twice in RCPT commands is one mailbox: rejecting it rejects each of its entries. Not
 * thread-safe: use it on the hook's thread, during the hook.
 */
public final class RecipientReplies {

    private final List<Recipient> recipients;
    private final SmtpReply[] replies;

    /**
     * Replies for {@code recipients}, none decided yet.
     *
     * @param recipients the accepted recipients, in RCPT order
     * @throws NullPointerException if {@code recipients} is null or holds a null
     */
    public RecipientReplies(List<Recipient> recipients) {
        this.recipients = List.copyOf(recipients);
        this.replies = new SmtpReply[this.recipients.size()];
    }

    /**
     * The recipients, in RCPT order: the order of the replies.
     *
     * @return an unmodifiable list
     */
    public List<Recipient> recipients() {
        return recipients;
    }

    /**
     * Refuses the message for the recipient at {@code index}.
     *
     * @param index the recipient's place in {@link #recipients()}
     * @param reply a 4xx (try again later) or 5xx (refused for good) reply without the close flag: to drop
     *              the connection, throw a 421 {@link SmtpRejection} from the hook instead
     * @throws IndexOutOfBoundsException if there is no such recipient
     * @throws IllegalArgumentException  if {@code reply} is not a 4xx or 5xx reply, or closes the connection
     * @throws NullPointerException      if {@code reply} is null
     */
    public void reject(int index, SmtpReply reply) {
        Objects.checkIndex(index, replies.length);
        replies[index] = checked(reply);
    }

    /**
     * Refuses the message for {@code recipient} (each of its entries, if it was named more than once).
     *
     * @param recipient one of {@link #recipients()}
     * @param reply     a 4xx or 5xx reply without the close flag, as for {@link #reject(int, SmtpReply)}
     * @throws IllegalArgumentException if {@code recipient} is not a recipient of the message, or the reply is
     *                                  not a 4xx or 5xx one, or closes the connection
     * @throws NullPointerException     if an argument is null
     */
    public void reject(Recipient recipient, SmtpReply reply) {
        Objects.requireNonNull(recipient, "recipient");
        SmtpReply checked = checked(reply);
        boolean found = false;
        for (int i = 0; i < replies.length; i++) {
            if (recipients.get(i).equals(recipient)) {
                replies[i] = checked;
                found = true;
            }
        }
        if (!found) {
            throw new IllegalArgumentException("not a recipient of this message: " + recipient);
        }
    }

    /**
     * The reply decided so far for the recipient at {@code index}.
     *
     * @param index the recipient's place in {@link #recipients()}
     * @return the rejection given, or null: the recipient is accepted if the hook returns normally
     * @throws IndexOutOfBoundsException if there is no such recipient
     */
    public SmtpReply rejection(int index) {
        Objects.checkIndex(index, replies.length);
        return replies[index];
    }

    /**
     * How many recipients have been refused so far.
     *
     * @return the number of entries with a rejection
     */
    public int rejected() {
        return (int) Arrays.stream(replies).filter(Objects::nonNull).count();
    }

    private static SmtpReply checked(SmtpReply reply) {
        Objects.requireNonNull(reply, "reply");
        if (reply.code() < 400) {
            throw new IllegalArgumentException("a recipient's rejection must be a 4xx or 5xx reply, got " + reply);
        }
        if (reply.close()) {
            throw new IllegalArgumentException("a recipient's rejection cannot close the connection: throw a 421 "
                    + "SmtpRejection from the hook instead (" + reply + ")");
        }
        return reply;
    }
}
