package dev.postern.relay.queue;

import dev.postern.relay.queue.Outcomes.Event;

import java.util.List;
import java.util.stream.Collectors;

import static dev.postern.relay.queue.MailQueue.LOG;

/**
 * The queue's log lines, one per state change, on logger {@code dev.postern.queue}, in Postfix's manner:
 * {@code ID: to=<rcpt> route=... remote=... PRX=[proxy]:port attempt=N status=deferred next=... (reply)}.
 */
final class QueueLog {

    private QueueLog() {
    }

    static void queued(QueuedMessage m) {
        LOG.info("{}: queued from=<{}> size={} nrcpt={}", m.id(), m.sender(), m.size(), m.recipients().size());
    }

    static void event(String id, String route, Event e) {
        RecipientState r = e.recipient();
        StringBuilder line = new StringBuilder(id).append(": to=<").append(r.address()).append('>');
        if (route != null) {
            line.append(" route=").append(route);
        }
        if (!r.remote().isEmpty()) {
            line.append(" remote=").append(r.remote());
        }
        if (!r.proxy().isEmpty()) {
            line.append(' ').append(r.proxy());
        }
        line.append(" attempt=").append(r.attempts()).append(" status=").append(e.kind().name().toLowerCase(java.util.Locale.ROOT));
        if (e.kind() == Outcomes.Kind.DEFERRED) {
            line.append(" next=").append(r.nextAttempt());
        }
        if (r.lastReply() != null) {
            line.append(" (").append(r.lastReply()).append(')');
        }
        LOG.info(line.toString());
    }

    static void notified(QueuedMessage m, DsnMessage.Type type, String dsnId, List<Event> events) {
        LOG.info("{}: {} dsn={} action={} sender=<{}> rcpt={}", m.id(), type == DsnMessage.Type.FAILURE ? "bounced" : "notified",
                dsnId, type.action, m.sender(), addresses(events));
    }

    static void notBounced(QueuedMessage m, List<Event> events) {
        LOG.info("{}: not bounced (null sender) rcpt={}", m.id(), addresses(events));
    }

    static void removed(String id) {
        LOG.info("{}: removed", id);
    }

    static void operator(String id, String action, List<RecipientState> recipients) {
        LOG.info("{}: {} by the operator rcpt={}", id, action,
                recipients.stream().map(r -> "<" + r.address() + ">").collect(Collectors.joining(",")));
    }

    private static String addresses(List<Event> events) {
        return events.stream().map(e -> "<" + e.recipient().address() + ">").collect(Collectors.joining(","));
    }
}
