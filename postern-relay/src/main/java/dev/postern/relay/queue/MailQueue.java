package dev.postern.relay.queue;

import dev.postern.Envelope;
import dev.postern.ReceivedMessage;
import dev.postern.relay.MessageContent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;

/**
 * The durable queue: a directory with one content file and one state file per message, after Postfix's
 * queue. Every file is written in {@code tmp/}, flushed, renamed into place ({@code content/ID},
 * {@code state/ID}) and its directory flushed, so a crash at any instant leaves each file in its old or
 * its new version, never torn; the content is in place before the state that makes the message exist.
 * Opening the queue removes what a crash left half done. A message is on disk, flushed, before
 * {@link #enqueue} returns, so the server may answer 250 then. Opening the queue takes its
 * {@link QueueLock}: one process at a time. Safe for concurrent use.
 *
 * <p>A {@link QueueManager} started over the queue delivers what is enqueued; the queue alone only
 * stores.
 */
public final class MailQueue implements AutoCloseable {

    /**
     * How much the queue holds; {@link #enqueue} refuses more with {@link QueueFullException}.
     * Delivery status notifications are let in beyond the bounds: they are small, bounded, and
     * stand for messages the queue already holds.
     *
     * @param maxMessages the most messages
     * @param maxBytes    the most content octets, all messages together
     */
    public record Limits(int maxMessages, long maxBytes) {

        /** 10 000 messages, 1 GiB. */
        public static final Limits DEFAULT = new Limits(10_000, 1L << 30);

        /** Validates. */
        public Limits {
            if (maxMessages <= 0 || maxBytes <= 0) {
                throw new IllegalArgumentException("queue limits must be positive: " + maxMessages + " messages, " + maxBytes + " octets");
            }
        }
    }

    static final Logger LOG = LoggerFactory.getLogger("dev.postern.queue");

    private final QueueStore store;
    private final QueueLock lock;
    private final Limits limits;
    private final InstantSource clock;
    private final QueueIds ids;
    private final ConcurrentHashMap<String, QueuedMessage> messages = new ConcurrentHashMap<>();
    /** Writers hold the read side; close takes the write side, so that nothing writes once it returns. */
    private final ReadWriteLock closing = new ReentrantReadWriteLock();
    private volatile boolean closed;
    /** Messages and octets held or reserved by an enqueue under way; guarded by this. */
    private int count;
    private long bytes;
    private volatile Consumer<QueuedMessage> listener;

    private MailQueue(QueueStore store, QueueLock lock, Limits limits, InstantSource clock) {
        this.store = store;
        this.lock = lock;
        this.limits = limits;
        this.clock = clock;
        this.ids = new QueueIds(clock);
    }

    /**
     * Opens (or creates) the queue in {@code directory}, takes its lock and loads every message. Leftovers
     * of a crash (a file half written, content whose state was never written) are removed; a state file
     * that cannot be read is moved to {@code corrupt/} and logged.
     *
     * @param directory the queue directory
     * @param limits    how much the queue may hold
     * @return the queue, to be closed when done
     * @throws QueueLock.HeldException when another process has the queue open
     * @throws IOException             when the directory cannot be read or written
     */
    public static MailQueue open(Path directory, Limits limits) throws IOException {
        return open(directory, limits, Fsync.REAL, InstantSource.system());
    }

    static MailQueue open(Path directory, Limits limits, Fsync fsync, InstantSource clock) throws IOException {
        QueueLock lock = QueueLock.acquire(directory);
        try {
            QueueStore store = new QueueStore(directory, fsync);
            MailQueue queue = new MailQueue(store, lock, limits, clock);
            for (QueuedMessage m : store.load()) {
                queue.messages.put(m.id(), m);
                queue.count++;
                queue.bytes += m.size();
            }
            return queue;
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /**
     * Whether a message of {@code size} octets would fit now, for a server that refuses early (at MAIL
     * with SIZE, or at DATA) rather than after the data.
     *
     * @param size the message's size in octets, or 0 to ask only whether one more message fits
     * @return whether it fits
     */
    public synchronized boolean hasRoomFor(long size) {
        return count < limits.maxMessages() && bytes + size <= limits.maxBytes();
    }

    /**
     * Stores a message durably: the content is written and flushed, then the state that makes it visible.
     *
     * @param envelope the envelope
     * @param content  the content (CRLF line endings, not dot-stuffed), read to its end; the caller closes it
     * @return the queue id
     * @throws QueueFullException when the queue holds its most messages or octets (452 4.3.1)
     * @throws IOException        when the message could not be stored; nothing of it is left behind
     */
    public String enqueue(QueueEnvelope envelope, InputStream content) throws IOException {
        return enqueue(envelope, content, true);
    }

    /**
     * Stores a message the server received, from {@code onMessage}.
     *
     * @param envelope the envelope to queue it with: usually {@code message.envelope()}, or a copy with only
     *                 the recipients that are relayed
     * @param message  the received message
     * @return the queue id
     * @throws QueueFullException when the queue has no room for it (452 4.3.1)
     * @throws IOException        when the message could not be stored
     */
    public String enqueue(Envelope envelope, ReceivedMessage message) throws IOException {
        if (!hasRoomFor(message.size())) {
            throw full();
        }
        try (InputStream in = message.openStream()) {
            return enqueue(QueueEnvelope.from(envelope), in, true);
        }
    }

    /** Stores a message the queue makes itself (a DSN), beyond the limits. */
    String enqueueNotification(QueueEnvelope envelope, InputStream content) throws IOException {
        return enqueue(envelope, content, false);
    }

    private String enqueue(QueueEnvelope envelope, InputStream content, boolean bounded) throws IOException {
        QueuedMessage queued;
        closing.readLock().lock();
        try {
            ensureOpen();
            if (bounded && !hasRoomFor(0)) {
                throw full();
            }
            String id = newId();
            QueueStore.Written written = store.writeContent(id, content, bounded ? room() : Long.MAX_VALUE);
            if (written == null) {
                throw full();
            }
            boolean done = false;
            try {
                reserve(written.size(), bounded);
                try {
                    queued = QueuedMessage.arrived(id, clock.instant(), written.size(), envelope);
                    store.publish(written, queued);
                    messages.put(id, queued);
                    done = true;
                } finally {
                    if (!done) {
                        release(written.size());
                    }
                }
            } finally {
                if (!done) {
                    store.discard(id);
                }
            }
        } finally {
            closing.readLock().unlock();
        }
        QueueLog.queued(queued);
        Consumer<QueuedMessage> l = listener;
        if (l != null) {
            l.accept(queued);
        }
        return queued.id();
    }

    /** @return every message, oldest first */
    public List<QueuedMessage> messages() {
        return messages.values().stream()
                .sorted(Comparator.comparing(QueuedMessage::arrival).thenComparing(QueuedMessage::id)).toList();
    }

    /**
     * @param id a queue id
     * @return the message's current state, or empty when the queue does not hold it
     */
    public Optional<QueuedMessage> message(String id) {
        return Optional.ofNullable(messages.get(id));
    }

    /**
     * Opens a queued message's content, as it will be sent (CRLF line endings, not dot-stuffed), for an
     * operator to read ({@code postern queue show --raw}).
     *
     * @param id a queue id
     * @return the content, to be closed by the caller
     * @throws java.nio.file.NoSuchFileException when the queue does not hold the message (any more)
     * @throws IOException                       when it cannot be read
     */
    public InputStream openContent(String id) throws IOException {
        if (!messages.containsKey(id)) {
            throw new java.nio.file.NoSuchFileException(id, null, "not queued");
        }
        return store.openContent(id);
    }

    /** @return the queue's directory */
    public Path directory() {
        return store.directory();
    }

    /** Releases the lock; nothing is written once this returns. */
    @Override
    public void close() throws IOException {
        closing.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            listener = null;
            lock.close();
        } finally {
            closing.writeLock().unlock();
        }
    }

    /** The content of a queued message, opened as often as an attempt needs. */
    MessageContent content(String id) {
        return () -> store.openContent(id);
    }

    /** Replaces a message's state on disk, atomically; false when the message is gone or the queue closed. */
    boolean update(QueuedMessage m) throws IOException {
        closing.readLock().lock();
        try {
            if (closed || !messages.containsKey(m.id())) {
                return false;
            }
            store.writeState(m);
            messages.put(m.id(), m);
            return true;
        } finally {
            closing.readLock().unlock();
        }
    }

    /** Removes a message: first its state (it is gone), then its content; false when already gone or closed. */
    boolean remove(String id) throws IOException {
        closing.readLock().lock();
        try {
            QueuedMessage m = closed ? null : messages.get(id);
            if (m == null) {
                return false;
            }
            store.delete(id);
            messages.remove(id);
            release(m.size());
            return true;
        } finally {
            closing.readLock().unlock();
        }
    }

    /** Called with each message once it is durable; one listener, the queue's manager, which clears it with null. */
    synchronized void listen(Consumer<QueuedMessage> newListener) {
        if (newListener != null && (closed || listener != null)) {
            throw new IllegalStateException("queue " + store.directory() + (closed ? " is closed" : " already has a manager"));
        }
        listener = newListener;
    }

    InstantSource clock() {
        return clock;
    }

    private String newId() {
        String id = ids.next();
        while (messages.containsKey(id) || store.exists(id)) {
            id = ids.next();
        }
        return id;
    }

    private synchronized long room() {
        return limits.maxBytes() - bytes;
    }

    private synchronized void reserve(long size, boolean bounded) {
        if (bounded && !hasRoomFor(size)) {
            throw full();
        }
        count++;
        bytes += size;
    }

    private synchronized void release(long size) {
        count--;
        bytes -= size;
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("queue " + store.directory() + " is closed");
        }
    }

    private QueueFullException full() {
        return new QueueFullException(limits.maxMessages() + " messages or " + limits.maxBytes() + " octets");
    }
}
