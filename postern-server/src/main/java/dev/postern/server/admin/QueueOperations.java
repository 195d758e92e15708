package dev.postern.server.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.postern.relay.queue.MailQueue;
import dev.postern.relay.queue.QueueManager;
import dev.postern.relay.queue.QueuedMessage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.time.InstantSource;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The operator's view of a queue and the actions on it, answering in {@link QueueJson}: the admin API calls
 * it for a running server's queue, {@code postern queue --queue-dir} for a stopped server's (with an offline
 * {@link QueueManager}), so that both give the same answers.
 */
public final class QueueOperations {

    /** A queue id's form (the relay's {@code QueueIds}): anything else is bad input, not a missing message. */
    private static final Pattern ID = Pattern.compile("[0-9a-z]{1,13}-[0-9a-z]{1,13}-[0-9a-z]{1,13}");

    /** The actions on one message. */
    public enum Action {
        /** Attempt now (on a stopped server: due at its next start). */
        RETRY,
        /** Remove without telling the sender. */
        DELETE,
        /** Neither attempt nor expire until released. */
        HOLD,
        /** Undo a hold; due at once. */
        RELEASE,
        /** Fail what is not delivered yet and send the sender a DSN. */
        BOUNCE;

        /** @return the action's name on the command line and in the API's paths */
        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * @param word an action's name
         * @return the action
         * @throws IllegalArgumentException when there is none by that name
         */
        public static Action of(String word) {
            for (Action a : values()) {
                if (a.word().equals(word)) {
                    return a;
                }
            }
            throw new IllegalArgumentException("unknown action '" + word + "'");
        }
    }

    /** The actions on a recipient domain. */
    public enum DomainAction {
        /** Hold the domain's recipients. */
        HOLD,
        /** Release the domain's held recipients. */
        RELEASE,
        /** Delete the domain's recipients not delivered yet, without DSN. */
        DELETE;

        /** @return the action's name */
        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The actions on the whole queue. */
    public enum BulkAction {
        /** Attempt every message now. */
        RETRY_ALL,
        /** Release every held message. */
        RELEASE_ALL,
        /** Delete every deferred recipient, without DSN. */
        DELETE_DEFERRED;

        /** @return the action's name in the API's paths */
        public String word() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final MailQueue queue;
    private final QueueManager manager;
    private final InstantSource clock;

    /**
     * @param queue   the queue
     * @param manager its manager, running or {@link QueueManager#offline offline}
     * @param clock   the clock that messages' ages are counted by
     */
    public QueueOperations(MailQueue queue, QueueManager manager, InstantSource clock) {
        this.queue = queue;
        this.manager = manager;
        this.clock = clock;
    }

    /**
     * @param id what names a message
     * @return the id
     * @throws IllegalArgumentException when it is not in a queue id's form
     */
    public static String checkId(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("not a queue id: '" + (id == null ? "" : id) + "' (ids look like "
                    + "mi4q0x9k2a-1k7-3)");
        }
        return id;
    }

    /**
     * @param domain a recipient domain as given
     * @return it in lower case without a trailing dot
     * @throws IllegalArgumentException when it is empty or not a domain's characters
     */
    public static String checkDomain(String domain) {
        String d = domain == null ? "" : domain.strip().toLowerCase(Locale.ROOT);
        if (d.endsWith(".")) {
            d = d.substring(0, d.length() - 1);
        }
        if (d.isEmpty() || d.length() > 255 || !d.matches("[\\p{L}\\p{N}._\\[\\]:-]+")) {
            throw new IllegalArgumentException("not a domain: '" + (domain == null ? "" : domain) + "'");
        }
        return d;
    }

    /** @param filter which messages @return them, oldest first */
    public ArrayNode list(QueueFilter filter) {
        return QueueJson.list(manager.list().stream().filter(filter).toList(), clock.instant());
    }

    /**
     * The first messages that {@code filter} selects, for a page that must stay small however big the queue.
     *
     * @param filter which messages
     * @param limit  how many at most
     * @return the page of messages, oldest first, and how many the filter selects in all
     */
    public Page page(QueueFilter filter, int limit) {
        java.util.List<QueuedMessage> all = manager.list().stream().filter(filter).toList();
        return new Page(QueueJson.list(all.subList(0, Math.min(limit, all.size())), clock.instant()), all.size());
    }

    /**
     * @param messages the messages shown
     * @param total    how many were selected in all
     */
    public record Page(ArrayNode messages, int total) {
    }

    /**
     * A message with its header fields.
     *
     * @param id a queue id
     * @return the message, with {@code headers} (name and value pairs) added, or empty when not queued
     * @throws IOException when its content cannot be read
     */
    public Optional<ObjectNode> show(String id) throws IOException {
        Optional<QueuedMessage> m = manager.show(checkId(id));
        if (m.isEmpty()) {
            return Optional.empty();
        }
        ObjectNode o = QueueJson.message(m.get(), clock.instant());
        HeaderBlock.Parsed parsed;
        try (InputStream in = queue.openContent(id)) {
            parsed = HeaderBlock.read(in, 0);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        ArrayNode headers = o.putArray("headers");
        parsed.fields().forEach(f -> headers.addObject().put("name", f.name()).put("value", f.value()));
        o.put("headersTruncated", parsed.truncated());
        return Optional.of(o);
    }

    /**
     * @param id a queue id
     * @return the message's content, to be closed, or empty when not queued
     * @throws IOException when it cannot be read
     */
    public Optional<InputStream> raw(String id) throws IOException {
        checkId(id);
        try {
            return Optional.of(queue.openContent(id));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /**
     * Does an action on one message.
     *
     * @param id     a queue id
     * @param action the action
     * @return {@code {"id", "action", "changed"}}, changed false when there was nothing to do (a hold of a
     *         held message), or empty when the message is not queued
     * @throws IOException when the queue could not be written
     */
    public Optional<ObjectNode> act(String id, Action action) throws IOException {
        checkId(id);
        if (manager.show(id).isEmpty()) {
            return Optional.empty();
        }
        boolean changed = switch (action) {
            case RETRY -> manager.retryNow(id);
            case DELETE -> manager.delete(id);
            case HOLD -> manager.hold(id);
            case RELEASE -> manager.release(id);
            case BOUNCE -> manager.bounce(id);
        };
        if (!changed && action == Action.DELETE) {
            return Optional.empty(); // gone meanwhile
        }
        ObjectNode o = QueueJson.MAPPER.createObjectNode();
        o.put("id", id);
        o.put("action", action.word());
        o.put("changed", changed);
        return Optional.of(o);
    }

    /**
     * @param domain a recipient domain
     * @param action what to do to its recipients
     * @return {@code {"domain", "action", "count"}}: the messages changed
     * @throws IOException when the queue could not be written
     */
    public ObjectNode act(String domain, DomainAction action) throws IOException {
        String d = checkDomain(domain);
        int count = switch (action) {
            case HOLD -> manager.holdDomain(d);
            case RELEASE -> manager.releaseDomain(d);
            case DELETE -> manager.deleteDomain(d);
        };
        ObjectNode o = QueueJson.MAPPER.createObjectNode();
        o.put("domain", d);
        o.put("action", action.word());
        o.put("count", count);
        return o;
    }

    /**
     * @param action what to do to the whole queue
     * @return {@code {"action", "count"}}: the messages attempted or changed
     * @throws IOException when the queue could not be written
     */
    public ObjectNode act(BulkAction action) throws IOException {
        int count = switch (action) {
            case RETRY_ALL -> manager.retryAll();
            case DELETE_DEFERRED -> manager.deleteDeferred();
            case RELEASE_ALL -> {
                int released = 0;
                for (QueuedMessage m : manager.list()) {
                    if (m.isHeld() && manager.release(m.id())) {
                        released++;
                    }
                }
                yield released;
            }
        };
        ObjectNode o = QueueJson.MAPPER.createObjectNode();
        o.put("action", action.word());
        o.put("count", count);
        return o;
    }
}
