package dev.postern.server;

import dev.postern.relay.client.RelayClient;
import dev.postern.relay.queue.MailQueue;
import dev.postern.relay.queue.QueueManager;
import dev.postern.relay.queue.QueuedMessage;
import dev.postern.relay.queue.RecipientState;

import java.io.IOException;
import java.util.List;

/**
 * The running relay of {@code postern serve --relay}: the queue, the outbound client and the manager
 * that delivers through it. The client has event loops of its own (two NIO threads, see
 * {@link RelayClient#create(dev.postern.relay.client.RelayClientConfig)}): the server's are inside the
 * library and not shared. Attempts and queue writes run on the manager's virtual threads.
 */
final class Relay implements AutoCloseable {

    /** What the queue holds now, for /metrics. */
    record Gauges(int messages, long octets, int deferred) {
    }

    private final MailQueue queue;
    private final RelayClient client;
    private final QueueManager manager;

    private Relay(MailQueue queue, RelayClient client, QueueManager manager) {
        this.queue = queue;
        this.client = client;
        this.manager = manager;
    }

    /**
     * Opens the queue (taking its lock), creates the client and starts delivering, every queued message
     * due at once; on failure whatever was opened is closed again.
     *
     * @throws IOException when the queue cannot be opened or another process holds it, in one line
     */
    static Relay start(RelaySettings settings) throws IOException {
        MailQueue queue;
        try {
            queue = MailQueue.open(settings.queueDir(), settings.limits());
        } catch (IOException e) {
            throw new IOException("cannot open the queue " + settings.queueDir() + ": " + e.getMessage(), e);
        }
        RelayClient client = null;
        try {
            client = RelayClient.create(settings.client());
            return new Relay(queue, client, QueueManager.start(queue, client, settings.delivery()));
        } catch (RuntimeException e) {
            if (client != null) {
                client.close();
            }
            queue.close();
            throw e;
        }
    }

    MailQueue queue() {
        return queue;
    }

    /** The running manager, for the operator's actions of the admin API. */
    QueueManager manager() {
        return manager;
    }

    Gauges gauges() {
        List<QueuedMessage> messages = queue.messages();
        return new Gauges(messages.size(), messages.stream().mapToLong(QueuedMessage::size).sum(),
                (int) messages.stream().filter(m -> m.recipients().stream()
                        .anyMatch(r -> r.status() == RecipientState.Status.DEFERRED)).count());
    }

    /**
     * Stops delivering: the manager waits for attempts in flight (up to the settings' close timeout) and
     * writes their outcomes; then the client closes its connections, which ends what is still running as
     * deferred (its state is not written: it is attempted again at the next start); then the queue is
     * closed and its lock released. Called after the SMTP listeners have stopped, so nothing is enqueued
     * any more.
     */
    @Override
    public void close() throws IOException {
        try {
            manager.close();
        } finally {
            try {
                client.close();
            } finally {
                queue.close();
            }
        }
    }
}
