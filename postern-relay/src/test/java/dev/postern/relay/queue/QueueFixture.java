package dev.postern.relay.queue;

import dev.postern.relay.OutboundRecipient;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * A queue over a temporary directory with a manual clock and scheduler and a fake transport; the
 * manager runs on the test's thread, so every step is done when the call that caused it returns.
 */
final class QueueFixture implements AutoCloseable {

    static final byte[] CONTENT = ("From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: hello\r\n"
            + "Message-ID: <m1@example.org>\r\n\r\nbody line\r\n.leading dot kept\r\n").getBytes(StandardCharsets.US_ASCII);

    final Path dir;
    final ManualClock clock = new ManualClock();
    /** A new one at each start: a manager closes its scheduler. */
    ManualScheduler scheduler;
    final FakeTransport transport = new FakeTransport();
    MailQueue.Limits limits = MailQueue.Limits.DEFAULT;
    Fsync fsync = Fsync.REAL;
    DeliverySettings settings = DeliverySettings.builder().reportingMta("mx.postern.test").build();
    MailQueue queue;
    QueueManager manager;

    QueueFixture(Path dir) {
        this.dir = dir;
    }

    MailQueue open() throws IOException {
        queue = MailQueue.open(dir, limits, fsync, clock);
        return queue;
    }

    QueueManager start() {
        return start(transport);
    }

    QueueManager start(dev.postern.relay.OutboundTransport with) {
        scheduler = new ManualScheduler(clock);
        manager = QueueManager.start(queue, with, settings, scheduler, Runnable::run, null);
        return manager;
    }

    /** Opens the queue and starts the manager. */
    QueueFixture running() throws IOException {
        open();
        start();
        return this;
    }

    /** Stops the manager and closes the queue, then opens both again over the same directory. */
    void restart() throws IOException {
        close();
        running();
    }

    String enqueue(String sender, String... recipients) {
        return enqueue(QueueEnvelope.of(sender, Arrays.asList(recipients)));
    }

    String enqueue(QueueEnvelope envelope) {
        return enqueue(envelope, CONTENT);
    }

    String enqueue(QueueEnvelope envelope, byte[] content) {
        try {
            return queue.enqueue(envelope, new ByteArrayInputStream(content));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static QueueEnvelope withDsn(String sender, DsnReturn ret, String envid, OutboundRecipient... recipients) {
        return new QueueEnvelope(sender, List.of(recipients), ret, envid, dev.postern.BodyType.UNSPECIFIED, false);
    }

    QueuedMessage message(String id) {
        return queue.message(id).orElseThrow(() -> new AssertionError("no message " + id));
    }

    /** The messages from the null sender: the DSNs the queue made. */
    List<QueuedMessage> notifications() {
        return queue.messages().stream().filter(QueuedMessage::hasNullSender).toList();
    }

    @Override
    public void close() throws IOException {
        if (manager != null) {
            manager.close();
            manager = null;
        }
        if (queue != null) {
            queue.close();
            queue = null;
        }
    }
}
