package dev.postern.server.queue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.postern.server.admin.QueueFilter;
import dev.postern.server.admin.QueueOperations;

import java.io.IOException;
import java.util.Optional;

/**
 * What {@code postern queue} asks of a queue, answered in the admin API's JSON either way: through a running
 * server's admin endpoint ({@link RemoteQueue}) or directly on a stopped server's files ({@link LocalQueue}).
 */
interface QueueClient extends AutoCloseable {

    /** @return the messages that {@code filter} selects, oldest first: a JSON array */
    JsonNode list(QueueFilter filter) throws IOException;

    /** @return the message with its header fields, or empty when not queued */
    Optional<JsonNode> show(String id) throws IOException;

    /** @return the message's content, or empty when not queued */
    Optional<byte[]> raw(String id) throws IOException;

    /** @return the action's result, or empty when the message is not queued */
    Optional<JsonNode> act(String id, QueueOperations.Action action) throws IOException;

    /** @return the action's result, with the count of messages changed */
    JsonNode act(String domain, QueueOperations.DomainAction action) throws IOException;

    /** @return the action's result, with the count of messages changed */
    JsonNode act(QueueOperations.BulkAction action) throws IOException;

    @Override
    void close() throws IOException;

    /** The command cannot run at all (no such queue, the queue in use, the server unreachable or refusing): exit 2. */
    final class Unusable extends IOException {
        Unusable(String message) {
            super(message);
        }

        Unusable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
