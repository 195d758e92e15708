package dev.postern.relay.queue;

import dev.postern.BodyType;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * A snapshot of one queued message: its envelope and where each recipient stands. Immutable; the
 * queue replaces it with a new snapshot on every change.
 *
 * @param id         the queue id
 * @param arrival    when it was queued
 * @param size       the content's size in octets
 * @param sender     the envelope sender, empty for {@code <>}
 * @param ret        RFC 3461 RET, or null
 * @param envid      RFC 3461 ENVID as received (xtext), or null
 * @param bodyType   the BODY parameter it came with
 * @param smtpUtf8   whether it came with SMTPUTF8
 * @param recipients every recipient not deleted by an operator, final ones included
 */
public record QueuedMessage(String id, Instant arrival, long size, String sender, DsnReturn ret, String envid,
                            BodyType bodyType, boolean smtpUtf8, List<RecipientState> recipients) {

    /** Validates and copies. */
    public QueuedMessage {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(arrival, "arrival");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(bodyType, "bodyType");
        recipients = List.copyOf(recipients);
    }

    static QueuedMessage arrived(String id, Instant arrival, long size, QueueEnvelope envelope) {
        return new QueuedMessage(id, arrival, size, envelope.sender(), envelope.ret(), envelope.envid(),
                envelope.bodyType(), envelope.smtpUtf8(),
                envelope.recipients().stream().map(r -> RecipientState.pending(r, arrival)).toList());
    }

    /** @return when the next attempt is due: the earliest of the recipients not final and not held */
    public Optional<Instant> nextAttempt() {
        return recipients.stream().filter(r -> !r.isFinal() && !r.held()).map(RecipientState::nextAttempt)
                .min(Instant::compareTo);
    }

    /** @return whether every recipient is final (or none is left), so the message can go */
    public boolean isComplete() {
        return recipients.stream().allMatch(RecipientState::isFinal);
    }

    /** @return whether an operator holds any of its recipients */
    public boolean isHeld() {
        return recipients.stream().anyMatch(RecipientState::held);
    }

    /** @return whether the sender is the null reverse path, which never gets a DSN */
    public boolean hasNullSender() {
        return sender.isEmpty();
    }

    QueuedMessage withRecipients(List<RecipientState> newRecipients) {
        return new QueuedMessage(id, arrival, size, sender, ret, envid, bodyType, smtpUtf8, newRecipients);
    }

    /** The same message with {@code change} applied to the recipients that {@code which} selects. */
    QueuedMessage map(Predicate<RecipientState> which, UnaryOperator<RecipientState> change) {
        return withRecipients(recipients.stream().map(r -> which.test(r) ? change.apply(r) : r).toList());
    }
}
