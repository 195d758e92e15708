package dev.postern.relay.queue;

import dev.postern.relay.DeliveryReport;
import dev.postern.relay.RecipientOutcome;
import dev.postern.relay.RemoteReply;
import dev.postern.relay.queue.RecipientState.Status;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What an attempt's report, or an operator's bounce, does to a message: the new state of each recipient
 * concerned, and which of those changes the sender is to be told of by a DSN. Pure: no I/O, no clock.
 */
final class Outcomes {

    /** What happened to a recipient, as the log line and the DSN name it. */
    enum Kind {
        DELIVERED, DEFERRED, FAILED,
        /** Deferred once the maximum queue time had passed: failed. */
        EXPIRED,
        /** Bounced by an operator: failed. */
        CANCELLED;

        boolean isFailure() {
            return this == FAILED || this == EXPIRED || this == CANCELLED;
        }
    }

    /**
     * @param recipient the recipient's new state
     * @param kind      what happened
     * @param reported  whether the sender gets a DSN for it (if the sender is not {@code <>})
     */
    record Event(RecipientState recipient, Kind kind, boolean reported) {
    }

    /** The message's new state and the events that led to it, in recipient order. */
    record Applied(QueuedMessage message, List<Event> events) {
    }

    /** An attempt whose failures were turned back into deferrals, and the events that say so (one per such recipient). */
    record Redeferred(Applied applied, List<Event> redeferred) {
    }

    private Outcomes() {
    }

    /**
     * Applies an attempt's report to the recipients it was made for that are not final yet (an operator may
     * have bounced or deleted some meanwhile). A recipient missing from the report counts as deferred.
     */
    static Applied attempt(QueuedMessage m, Collection<String> attempted, DeliveryReport report, Instant now,
                           DeliverySettings settings) {
        Map<String, RecipientOutcome> byAddress = new HashMap<>();
        for (RecipientOutcome o : report.outcomes()) {
            byAddress.putIfAbsent(o.address(), o);
        }
        List<RecipientState> recipients = new ArrayList<>();
        List<Event> events = new ArrayList<>();
        for (RecipientState r : m.recipients()) {
            if (r.isFinal() || !attempted.contains(r.address())) {
                recipients.add(r);
                continue;
            }
            RecipientOutcome o = byAddress.get(r.address());
            RecipientOutcome.Status status = o == null ? RecipientOutcome.Status.DEFERRED : o.status();
            RemoteReply reply = o == null ? RemoteReply.none("the delivery report has no outcome for this recipient") : o.reply();
            Event e = switch (status) {
                case DELIVERED -> new Event(r.attempted(Status.DELIVERED, reply, report.remote(), report.proxy(), now, now),
                        Kind.DELIVERED, r.wants("SUCCESS") && !report.nextHopDsn());
                case FAILED -> new Event(r.attempted(Status.FAILED, reply, report.remote(), report.proxy(), now, now),
                        Kind.FAILED, r.wants("FAILURE"));
                case DEFERRED -> deferred(m, r, reply, report, now, settings);
            };
            recipients.add(e.recipient());
            events.add(e);
        }
        return new Applied(m.withRecipients(recipients), events);
    }

    private static Event deferred(QueuedMessage m, RecipientState r, RemoteReply reply, DeliveryReport report,
                                  Instant now, DeliverySettings settings) {
        RetrySchedule retry = settings.retry();
        if (retry.expired(m.arrival(), now)) {
            return new Event(r.attempted(Status.FAILED, reply, report.remote(), report.proxy(), now, now),
                    Kind.EXPIRED, r.wants("FAILURE"));
        }
        RecipientState next = r.attempted(Status.DEFERRED, reply, report.remote(), report.proxy(), now,
                retry.nextAttempt(r.attempts() + 1, m.arrival(), now));
        // RFC 3461 4.1: a "delayed" DSN only when NOTIFY asks for DELAY, and once.
        boolean delay = r.wants("DELAY") && !r.delayNotified()
                && !now.isBefore(m.arrival().plus(settings.delayWarning()));
        return new Event(delay ? next.withDelayNotified() : next, Kind.DEFERRED, delay);
    }

    /** Fails every recipient that is not final yet, as an operator's bounce does. */
    static Applied cancel(QueuedMessage m) {
        RemoteReply reply = RemoteReply.none("delivery cancelled by the operator");
        List<RecipientState> recipients = new ArrayList<>();
        List<Event> events = new ArrayList<>();
        for (RecipientState r : m.recipients()) {
            if (r.isFinal()) {
                recipients.add(r);
            } else {
                RecipientState failed = r.failed(reply);
                recipients.add(failed);
                events.add(new Event(failed, Kind.CANCELLED, failed.wants("FAILURE")));
            }
        }
        return new Applied(m.withRecipients(recipients), events);
    }

    /**
     * Turns the failures of an applied attempt back into deferrals: the failure DSN could not be queued,
     * and a failed recipient without its DSN would be a bounce lost. The attempt is repeated later, and
     * fails (with its DSN) again.
     */
    static Redeferred keepFailuresDeferred(Applied applied, Instant now, RetrySchedule retry) {
        QueuedMessage m = applied.message();
        Set<String> failed = applied.events().stream().filter(e -> e.kind().isFailure())
                .map(e -> e.recipient().address()).collect(Collectors.toSet());
        List<RecipientState> recipients = new ArrayList<>();
        for (RecipientState r : m.recipients()) {
            recipients.add(!failed.contains(r.address()) || !r.isFinal() ? r : new RecipientState(r.address(), r.dsnNotify(), r.dsnOrcpt(), Status.DEFERRED,
                    r.attempts(), retry.nextAttempt(Math.max(r.attempts(), 1), m.arrival(), now), r.lastAttempt(),
                    r.lastReply(), r.remote(), r.proxy(), r.held(), r.delayNotified(), deferredAfterAll(r.history(), now)));
        }
        // the failures become deferrals in the log too (reported: false, as the DSNs have been sent already)
        Map<String, RecipientState> byAddress = new HashMap<>();
        recipients.forEach(r -> byAddress.put(r.address(), r));
        List<Event> events = new ArrayList<>();
        List<Event> redeferred = new ArrayList<>();
        for (Event e : applied.events()) {
            if (e.kind().isFailure()) {
                Event deferred = new Event(byAddress.get(e.recipient().address()), Kind.DEFERRED, false);
                events.add(deferred);
                redeferred.add(deferred);
            } else {
                events.add(e);
            }
        }
        return new Redeferred(new Applied(m.withRecipients(recipients), List.copyOf(events)), List.copyOf(redeferred));
    }

    /**
     * The history with this attempt's entry saying what the recipient was left in: deferred, not failed (the
     * attempt's reply stays, so the history still says why it failed and will again). Found in review: the queue
     * said "deferred" while {@code queue show} said the last attempt "failed", and no DSN had gone.
     */
    private static List<DeliveryAttempt> deferredAfterAll(List<DeliveryAttempt> history, Instant now) {
        if (history.isEmpty() || history.getLast().outcome() != Status.FAILED || !history.getLast().time().equals(now)) {
            return history;
        }
        DeliveryAttempt last = history.getLast();
        List<DeliveryAttempt> kept = new ArrayList<>(history.subList(0, history.size() - 1));
        kept.add(new DeliveryAttempt(last.time(), Status.DEFERRED, last.reply(), last.remote(), last.proxy()));
        return kept;
    }
}
