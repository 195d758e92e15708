package dev.postern.relay.queue;

import dev.postern.relay.OutboundTransport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

import static dev.postern.relay.queue.MailQueue.LOG;

/**
 * Delivers what a {@link MailQueue} holds through an {@link OutboundTransport}. At start it takes up every
 * queued message, attempting at once those whose time has come. Each message's due recipients are grouped
 * by {@link OutboundTransport#route}, one transaction per route, and the attempts run within the
 * concurrency bounds of {@link DeliverySettings}. After each attempt the recipients' new state is written
 * atomically; deferred recipients are retried on the {@link RetrySchedule} until the maximum queue time;
 * failures are reported to the sender by DSN ({@code <>} senders excepted); a message whose recipients
 * are all final leaves the queue.
 *
 * <p>Delivery is at least once: a crash (or a failed state write) after the next hop accepted a
 * recipient but before its state is on disk repeats that attempt; nothing else repeats one.
 *
 * <p>The operator's actions change the state on disk the same way, under the same per-message lock. The
 * manager does not close the transport or the queue: whoever opened them does, after {@link #close()}.
 */
public final class QueueManager implements AutoCloseable {

    private final MailQueue queue;
    private final Deliveries deliveries;
    private final Notifier notifier;
    private final ExecutorService ownedExecutor;
    /** False for {@link #offline}: the operator's actions change the files, nothing is attempted. */
    private final boolean delivering;
    private volatile boolean closed;

    private QueueManager(MailQueue queue, Deliveries deliveries, Notifier notifier, ExecutorService ownedExecutor,
                         boolean delivering) {
        this.queue = queue;
        this.deliveries = deliveries;
        this.notifier = notifier;
        this.ownedExecutor = ownedExecutor;
        this.delivering = delivering;
    }

    /**
     * Starts delivering: every queued message is scheduled (due ones at once), and so is every message
     * enqueued from now on. Attempts and state writes run on virtual threads.
     *
     * @param queue     the queue, which gets one manager at a time
     * @param transport the outbound transport
     * @param settings  concurrency, retries, DSNs
     * @return the running manager
     * @throws IllegalStateException when the queue is closed or another manager runs it
     */
    public static QueueManager start(MailQueue queue, OutboundTransport transport, DeliverySettings settings) {
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        return start(queue, transport, settings, Scheduler.system(queue.clock()), threads, threads);
    }

    static QueueManager start(MailQueue queue, OutboundTransport transport, DeliverySettings settings,
                              Scheduler scheduler, Executor executor, ExecutorService ownedExecutor) {
        Objects.requireNonNull(transport, "transport");
        Notifier notifier = new Notifier(queue, Objects.requireNonNull(settings, "settings"));
        Deliveries deliveries = new Deliveries(queue, transport, settings, scheduler, executor, notifier);
        QueueManager manager = new QueueManager(queue, deliveries, notifier, ownedExecutor, true);
        try {
            queue.listen(m -> deliveries.wake(m.id()));
        } catch (IllegalStateException e) {
            scheduler.close();
            if (ownedExecutor != null) {
                ownedExecutor.shutdown();
            }
            throw e;
        }
        List<QueuedMessage> queued = queue.messages();
        LOG.info("queue {}: delivering, {} message(s) queued", queue.directory(), queued.size());
        queued.forEach(m -> deliveries.wake(m.id()));
        return manager;
    }

    /**
     * A manager for a queue that no server runs, for the operator's actions on a stopped server
     * ({@code postern queue --queue-dir}): they change the state files exactly as a running manager's do,
     * but nothing is attempted and no timer runs. {@link #retryNow} and {@link #retryAll} make the recipients
     * due now, so that the next server to open the queue attempts them at once; {@link #bounce} queues the
     * DSN, which that server delivers. The queue, opened with {@link MailQueue#open} (which takes its
     * {@link QueueLock}, so no server can start on it meanwhile), gets no other manager until this one is
     * closed.
     *
     * @param queue    the queue
     * @param settings the DSNs' settings ({@link DeliverySettings#reportingMta()} above all)
     * @return the manager, to be closed before the queue
     * @throws IllegalStateException when the queue is closed or a manager runs it
     */
    public static QueueManager offline(MailQueue queue, DeliverySettings settings) {
        Notifier notifier = new Notifier(queue, Objects.requireNonNull(settings, "settings"));
        Scheduler none = new Scheduler() {
            @Override
            public Task at(Instant when, Runnable task) {
                return () -> {
                };
            }

            @Override
            public void close() {
            }
        };
        Deliveries deliveries = new Deliveries(queue, null, settings, none, Runnable::run, notifier);
        queue.listen(m -> {
        });
        return new QueueManager(queue, deliveries, notifier, null, false);
    }

    /** @return every queued message, oldest first */
    public List<QueuedMessage> list() {
        return queue.messages();
    }

    /** @param id a queue id @return the message, or empty when it is not queued */
    public Optional<QueuedMessage> show(String id) {
        return queue.message(id);
    }

    /**
     * Attempts a message's recipients now, deferred ones included, whatever their schedule (held ones excepted).
     *
     * @param id a queue id
     * @return whether the message is queued
     * @throws UncheckedIOException on an {@link #offline} manager, when the state could not be written
     */
    public boolean retryNow(String id) {
        if (queue.message(id).isEmpty()) {
            return false;
        }
        if (delivering) {
            deliveries.dispatch(id, true);
        } else {
            makeDue(id);
        }
        return true;
    }

    /**
     * @return the number of messages attempted now, as {@link #retryNow} does for one
     * @throws UncheckedIOException on an {@link #offline} manager, when a state could not be written
     */
    public int retryAll() {
        List<QueuedMessage> all = queue.messages();
        for (QueuedMessage m : all) {
            if (delivering) {
                deliveries.dispatch(m.id(), true);
            } else {
                makeDue(m.id());
            }
        }
        return all.size();
    }

    /** Offline retry: the recipients not final and not held are due now, written down for the next start. */
    private void makeDue(String id) {
        Instant now = queue.clock().instant();
        try {
            change(id, "made due", r -> !r.isFinal() && !r.held() && r.nextAttempt().isAfter(now), r -> r.dueAt(now));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Holds a message: its recipients are neither attempted nor expired until released (an attempt already
     * under way ends as it does).
     *
     * @param id a queue id
     * @return whether anything was held
     * @throws IOException when the state could not be written (nothing changed)
     */
    public boolean hold(String id) throws IOException {
        return change(id, "held", r -> !r.isFinal() && !r.held(), r -> r.withHeld(true));
    }

    /**
     * @param domain a recipient domain
     * @return the messages in which recipients of that domain were held
     * @throws IOException when a state could not be written
     */
    public int holdDomain(String domain) throws IOException {
        return count(id -> change(id, "held", r -> !r.isFinal() && !r.held() && r.domain().equalsIgnoreCase(domain),
                r -> r.withHeld(true)));
    }

    /**
     * Releases a held message; its recipients are attempted at once.
     *
     * @param id a queue id
     * @return whether anything was released
     * @throws IOException when the state could not be written (nothing changed)
     */
    public boolean release(String id) throws IOException {
        Instant now = queue.clock().instant();
        return change(id, "released", RecipientState::held, r -> r.released(now));
    }

    /**
     * @param domain a recipient domain
     * @return the messages in which held recipients of that domain were released (and made due)
     * @throws IOException when a state could not be written
     */
    public int releaseDomain(String domain) throws IOException {
        Instant now = queue.clock().instant();
        return count(id -> change(id, "released", r -> r.held() && r.domain().equalsIgnoreCase(domain), r -> r.released(now)));
    }

    /**
     * Deletes a message without telling its sender.
     *
     * @param id a queue id
     * @return whether it was queued
     * @throws IOException when it could not be removed
     */
    public boolean delete(String id) throws IOException {
        return deliveries.locked(id, () -> {
            QueuedMessage m = queue.message(id).orElse(null);
            if (m == null || !queue.remove(id)) {
                return false;
            }
            deliveries.cancelTimer(id);
            QueueLog.operator(id, "deleted", m.recipients());
            return true;
        });
    }

    /**
     * Deletes every deferred recipient, without DSN; a message left with nothing to deliver goes.
     *
     * @return the messages changed
     * @throws IOException when a state could not be written
     */
    public int deleteDeferred() throws IOException {
        return count(id -> deleteRecipients(id, r -> r.status() == RecipientState.Status.DEFERRED));
    }

    /**
     * Deletes the recipients of one domain not delivered yet, without DSN; a message left with nothing to
     * deliver goes.
     *
     * @param domain a recipient domain
     * @return the messages changed
     * @throws IOException when a state could not be written
     */
    public int deleteDomain(String domain) throws IOException {
        return count(id -> deleteRecipients(id, r -> !r.isFinal() && r.domain().equalsIgnoreCase(domain)));
    }

    /**
     * Fails now every recipient of a message not delivered yet, and sends its sender the DSN.
     *
     * @param id a queue id
     * @return whether any recipient was bounced
     * @throws IOException when the DSN or the state could not be written
     */
    public boolean bounce(String id) throws IOException {
        return deliveries.locked(id, () -> {
            QueuedMessage m = queue.message(id).orElse(null);
            Outcomes.Applied applied = m == null ? null : Outcomes.cancel(m);
            if (applied == null || applied.events().isEmpty()) {
                return false;
            }
            notifier.send(applied.message(), applied.events(), queue.clock().instant());
            applied.events().forEach(e -> QueueLog.event(id, null, e));
            deliveries.write(applied.message());
            return true;
        });
    }

    /**
     * Stops: nothing new is attempted; attempts in flight are waited for (up to the close timeout) and their
     * outcomes written. An attempt still running after that is repeated at the next start.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            int running = deliveries.close();
            if (running > 0) {
                LOG.warn("queue {}: {} attempt(s) still running at close; they are repeated at the next start",
                        queue.directory(), running);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        queue.listen(null);
        if (ownedExecutor != null) {
            ownedExecutor.shutdown();
        }
        if (delivering) {
            LOG.info("queue {}: stopped delivering", queue.directory());
        }
    }

    private interface Action {
        boolean apply(String id) throws IOException;
    }

    private int count(Action action) throws IOException {
        int changed = 0;
        for (QueuedMessage m : queue.messages()) {
            if (action.apply(m.id())) {
                changed++;
            }
        }
        return changed;
    }

    /** An operator's change to some recipients, written at once, then the message looked at again. */
    private boolean change(String id, String action, Predicate<RecipientState> which, UnaryOperator<RecipientState> how)
            throws IOException {
        boolean done = deliveries.locked(id, () -> {
            QueuedMessage m = queue.message(id).orElse(null);
            List<RecipientState> changed = m == null ? List.of() : m.recipients().stream().filter(which).toList();
            QueuedMessage updated = m == null ? null : m.map(which, how);
            if (changed.isEmpty() || !queue.update(updated)) {
                return false;
            }
            QueueLog.operator(id, action, changed);
            deliveries.plan(updated);
            return true;
        });
        if (done) {
            deliveries.wake(id);
        }
        return done;
    }

    private boolean deleteRecipients(String id, Predicate<RecipientState> which) throws IOException {
        return deliveries.locked(id, () -> {
            QueuedMessage m = queue.message(id).orElse(null);
            List<RecipientState> deleted = m == null ? List.of() : m.recipients().stream().filter(which).toList();
            if (deleted.isEmpty()) {
                return false;
            }
            QueuedMessage rest = m.withRecipients(m.recipients().stream().filter(which.negate()).toList());
            if (rest.isComplete() ? !queue.remove(id) : !queue.update(rest)) {
                return false;
            }
            QueueLog.operator(id, "recipients deleted", deleted);
            if (rest.isComplete()) {
                deliveries.cancelTimer(id);
                QueueLog.removed(id);
            } else {
                deliveries.plan(rest);
            }
            return true;
        });
    }
}
