package dev.postern.server.queue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.postern.relay.queue.DeliverySettings;
import dev.postern.relay.queue.MailQueue;
import dev.postern.relay.queue.QueueLock;
import dev.postern.relay.queue.QueueManager;
import dev.postern.server.admin.QueueFilter;
import dev.postern.server.admin.QueueOperations;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Optional;

/**
 * A stopped server's queue, changed directly on its files. Opening it takes the queue's lock, the one a
 * server takes at start: while this command runs no server can start on the queue (it fails, as with a
 * second server), and this command refuses a queue that a running server holds. The changes are those a
 * running server would make ({@link QueueManager#offline}); a retry makes the recipients due, and the next
 * server to start attempts them at once.
 */
final class LocalQueue implements QueueClient {

    private final MailQueue queue;
    private final QueueManager manager;
    private final QueueOperations operations;

    private LocalQueue(MailQueue queue, QueueManager manager) {
        this.queue = queue;
        this.manager = manager;
        this.operations = new QueueOperations(queue, manager, InstantSource.system());
    }

    /**
     * @param directory the queue directory (--queue-dir)
     * @param hostname  the name DSNs of a bounce come from
     * @throws Unusable when there is no queue there, or a server holds it
     */
    static LocalQueue open(Path directory, String hostname) throws IOException {
        if (!Files.isDirectory(directory.resolve("state"))) {
            throw new Unusable("no queue in " + directory + " (no state/ directory): give the server's --queue-dir");
        }
        MailQueue queue;
        try {
            // No bounds: the command adds nothing but DSNs, which the queue lets in beyond them anyway.
            queue = MailQueue.open(directory, new MailQueue.Limits(Integer.MAX_VALUE, Long.MAX_VALUE));
        } catch (QueueLock.HeldException e) {
            throw new Unusable(e.getMessage() + ": while the server runs, use --server http://HOST:PORT "
                    + "--admin-token-file FILE (its --http-listen with --admin)", e);
        }
        try {
            DeliverySettings.Builder settings = DeliverySettings.builder();
            if (hostname != null) {
                settings.reportingMta(hostname);
            }
            return new LocalQueue(queue, QueueManager.offline(queue, settings.build()));
        } catch (RuntimeException e) {
            queue.close();
            throw e;
        }
    }

    @Override
    public JsonNode list(QueueFilter filter) {
        return operations.list(filter);
    }

    @Override
    public Optional<JsonNode> show(String id) throws IOException {
        return operations.show(id).map(o -> o);
    }

    @Override
    public Optional<byte[]> raw(String id) throws IOException {
        Optional<InputStream> in = operations.raw(id);
        if (in.isEmpty()) {
            return Optional.empty();
        }
        try (InputStream content = in.get()) {
            return Optional.of(content.readAllBytes());
        }
    }

    @Override
    public Optional<JsonNode> act(String id, QueueOperations.Action action) throws IOException {
        return operations.act(id, action).map(o -> o);
    }

    @Override
    public JsonNode act(String domain, QueueOperations.DomainAction action) throws IOException {
        return operations.act(domain, action);
    }

    @Override
    public JsonNode act(QueueOperations.BulkAction action) throws IOException {
        return operations.act(action);
    }

    @Override
    public void close() throws IOException {
        try {
            manager.close();
        } finally {
            queue.close();
        }
    }
}
