package dev.postern.relay.queue;

import dev.postern.BodyType;
import dev.postern.relay.OutboundRecipient;
import dev.postern.relay.queue.Outcomes.Event;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * Sends the sender the DSNs that events call for, through the queue itself, from the null sender
 * {@code <>} (RFC 3461 6.1, RFC 5321 4.5.5) so that a DSN is never answered by another. A message from the
 * null sender is never reported on: its failures are only logged.
 */
final class Notifier {

    private final MailQueue queue;
    private final DeliverySettings settings;

    Notifier(MailQueue queue, DeliverySettings settings) {
        this.queue = queue;
        this.settings = settings;
    }

    /**
     * Queues a failure DSN for the failures among {@code events}, then a "delayed" and a "relayed" DSN for
     * the others that ask for one.
     *
     * @throws IOException when the failure DSN could not be queued (the failures must not become final
     *                     then); the delay and success DSNs are informative, and only logged when they fail
     */
    void send(QueuedMessage m, List<Event> events, Instant now) throws IOException {
        List<Event> reported = events.stream().filter(Event::reported).toList();
        if (reported.isEmpty()) {
            return;
        }
        if (m.hasNullSender()) {
            List<Event> failures = reported.stream().filter(e -> e.kind().isFailure()).toList();
            if (!failures.isEmpty()) {
                QueueLog.notBounced(m, failures);
            }
            return;
        }
        send(m, DsnMessage.Type.FAILURE, reported.stream().filter(e -> e.kind().isFailure()).toList(), now);
        for (DsnMessage.Type type : new DsnMessage.Type[] {DsnMessage.Type.DELAY, DsnMessage.Type.SUCCESS}) {
            Outcomes.Kind kind = type == DsnMessage.Type.DELAY ? Outcomes.Kind.DEFERRED : Outcomes.Kind.DELIVERED;
            try {
                send(m, type, reported.stream().filter(e -> e.kind() == kind).toList(), now);
            } catch (IOException e) {
                MailQueue.LOG.error("{}: cannot queue the {} DSN: {}", m.id(), type.action, e.toString());
            }
        }
    }

    private void send(QueuedMessage m, DsnMessage.Type type, List<Event> events, Instant now) throws IOException {
        if (events.isEmpty()) {
            return;
        }
        DsnMessage.Built dsn = DsnMessage.build(type, m, events, queue.content(m.id()), settings, now);
        QueueEnvelope envelope = new QueueEnvelope("", List.of(OutboundRecipient.of(m.sender())), null, null,
                dsn.eightBit() ? BodyType.EIGHT_BIT_MIME : BodyType.SEVEN_BIT, m.smtpUtf8());
        String id = queue.enqueueNotification(envelope, new ByteArrayInputStream(dsn.content()));
        QueueLog.notified(m, type, id, events);
    }
}
