package dev.postern.relay.queue;

import dev.postern.BodyType;
import dev.postern.relay.DeliveryReport;
import dev.postern.relay.DeliveryRequest;
import dev.postern.relay.OutboundRecipient;
import dev.postern.relay.OutboundTransport;
import dev.postern.relay.RecipientOutcome;
import dev.postern.relay.RemoteReply;
import dev.postern.relay.queue.Dispatcher.Job;

import java.io.IOException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;

import static dev.postern.relay.queue.MailQueue.LOG;

/**
 * The queue manager's engine: a timer per message for its next due recipient, a job per route for the
 * due recipients, the {@link Dispatcher}'s bounds, and the outcome of each attempt applied and written
 * under the message's lock. Every change of a message's state (attempts and operator actions alike)
 * happens under {@link #lock(String)}, so a message changes one step at a time.
 */
final class Deliveries {

    private final MailQueue queue;
    private final OutboundTransport transport;
    private final DeliverySettings settings;
    private final InstantSource clock;
    private final Scheduler scheduler;
    private final Executor executor;
    private final Dispatcher dispatcher;
    private final Notifier notifier;
    /** False for a queue that no server runs ({@link QueueManager#offline}): nothing is attempted or timed. */
    private final boolean delivering;
    /**
     * One lock per message (by stripe): its state changes one at a time, I/O included. Locks rather than
     * monitors, so that a virtual thread waiting for a flush does not pin its carrier (Java 21).
     */
    private final ReentrantLock[] stripes = new ReentrantLock[64];
    private final Map<String, Scheduler.Task> timers = new ConcurrentHashMap<>();
    /** Recipients in a job waiting or running, so that none is attempted twice at once; under the stripe. */
    private final Map<String, Set<String>> inFlight = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** @param transport the transport, or null for a queue that is only changed, never delivered from */
    Deliveries(MailQueue queue, OutboundTransport transport, DeliverySettings settings, Scheduler scheduler,
               Executor executor, Notifier notifier) {
        this.queue = queue;
        this.transport = transport;
        this.settings = settings;
        this.clock = queue.clock();
        this.scheduler = scheduler;
        this.executor = executor;
        this.notifier = notifier;
        this.delivering = transport != null;
        this.dispatcher = new Dispatcher(settings.maxConcurrent(), settings.maxPerRoute(), executor, this::attempt);
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    /** A step of a message's state, run under its lock. */
    interface Step<T, E extends Exception> {
        T run() throws E;
    }

    /** Runs {@code step} under the lock of message {@code id}. */
    <T, E extends Exception> T locked(String id, Step<T, E> step) throws E {
        ReentrantLock lock = stripes[Math.floorMod(id.hashCode(), stripes.length)];
        lock.lock();
        try {
            return step.run();
        } finally {
            lock.unlock();
        }
    }

    /** Looks at a message soon, on the executor: the caller may hold another message's lock. */
    void wake(String id) {
        if (!closed && delivering) {
            executor.execute(() -> {
                try {
                    dispatch(id, false);
                } catch (RuntimeException e) {
                    // A transport whose route() throws, say.
                    retryLater(id, "cannot schedule the message", e);
                }
            });
        }
    }

    /** Starts a job per route for the recipients that are due (or for all not held, when forced). */
    void dispatch(String id, boolean force) {
        if (!delivering) {
            return;
        }
        List<Job> jobs = locked(id, () -> {
            List<Job> due = new ArrayList<>();
            QueuedMessage m = closed ? null : queue.message(id).orElse(null);
            if (m == null) {
                return due;
            }
            if (m.isComplete()) {
                write(m);
                return due;
            }
            Instant now = clock.instant();
            Set<String> flying = inFlight.computeIfAbsent(id, k -> new HashSet<>());
            Map<String, Set<String>> byRoute = new LinkedHashMap<>();
            for (RecipientState r : m.recipients()) {
                if (!r.isFinal() && !r.held() && !flying.contains(r.address()) && (force || !r.nextAttempt().isAfter(now))) {
                    byRoute.computeIfAbsent(transport.route(r.address()), k -> new LinkedHashSet<>()).add(r.address());
                }
            }
            byRoute.forEach((route, recipients) -> {
                flying.addAll(recipients);
                due.add(new Job(id, route, List.copyOf(recipients)));
            });
            if (flying.isEmpty()) {
                inFlight.remove(id);
            }
            plan(m);
            return due;
        });
        for (Job job : jobs) {
            if (!dispatcher.submit(job)) {
                locked(id, () -> unmark(id, job.recipients()));
            }
        }
    }

    /**
     * Writes a message's new state, or removes it once complete, and re-plans its timer. Under the lock.
     * A failed write keeps the old state (on disk and in memory) and tries the message again after the
     * first retry step rather than at once.
     */
    void write(QueuedMessage m) {
        try {
            if (m.isComplete()) {
                cancelTimer(m.id());
                if (queue.remove(m.id())) {
                    QueueLog.removed(m.id());
                }
            } else if (queue.update(m)) {
                plan(m);
            }
        } catch (IOException e) {
            retryLater(m.id(), "cannot write the queue state", e);
        }
    }

    /** After an unexpected failure: the message is looked at again after the first retry step, not forgotten. */
    private void retryLater(String id, String what, Exception e) {
        Instant retry = clock.instant().plus(settings.retry().steps().get(0));
        LOG.error("{}: {}, trying again at {}", id, what, retry, e);
        arm(id, retry);
    }

    /** Arms the message's timer for its earliest due recipient not in flight, or disarms it. Under the lock. */
    void plan(QueuedMessage m) {
        Set<String> flying = inFlight.getOrDefault(m.id(), Set.of());
        Optional<Instant> next = m.recipients().stream()
                .filter(r -> !r.isFinal() && !r.held() && !flying.contains(r.address()))
                .map(RecipientState::nextAttempt).min(Instant::compareTo);
        if (next.isPresent()) {
            arm(m.id(), next.get());
        } else {
            cancelTimer(m.id());
        }
    }

    void cancelTimer(String id) {
        Scheduler.Task old = timers.remove(id);
        if (old != null) {
            old.cancel();
        }
    }

    private void arm(String id, Instant when) {
        if (closed || !delivering) {
            return;
        }
        Scheduler.Task old = timers.put(id, scheduler.at(when, () -> wake(id)));
        if (old != null) {
            old.cancel();
        }
    }

    /** Stops timers and waiting jobs, then waits for the running ones; returns how many still run. */
    int close() throws InterruptedException {
        closed = true;
        scheduler.close();
        timers.clear();
        for (Job dropped : dispatcher.close()) {
            locked(dropped.messageId(), () -> unmark(dropped.messageId(), dropped.recipients()));
        }
        return dispatcher.awaitIdle(settings.closeTimeout()) ? 0 : dispatcher.running();
    }

    /** The dispatcher's starter: one attempt, whose outcome is applied on the executor. */
    private void attempt(Job job) {
        DeliveryRequest request = request(job);
        if (request == null) {
            dispatcher.finished(job);
            return;
        }
        CompletableFuture<DeliveryReport> report;
        try {
            report = Objects.requireNonNull(transport.deliver(request), "the transport returned no future");
        } catch (RuntimeException e) {
            report = CompletableFuture.failedFuture(e);
        }
        report.whenCompleteAsync((r, error) -> {
            try {
                complete(request, r != null ? r : DeliveryReport.all(request, RecipientOutcome.Status.DEFERRED,
                        RemoteReply.none("the transport failed: " + error), "", ""));
            } catch (RuntimeException e) {
                retryLater(request.queueId(), "applying the outcome of an attempt failed", e);
            } finally {
                dispatcher.finished(job);
            }
        }, executor);
    }

    /** The request for the job's recipients still to attempt, or null when none is left. */
    private DeliveryRequest request(Job job) {
        return locked(job.messageId(), () -> {
            QueuedMessage m = closed ? null : queue.message(job.messageId()).orElse(null);
            Set<String> attempt = new LinkedHashSet<>();
            List<OutboundRecipient> recipients = new ArrayList<>();
            for (RecipientState r : m == null ? List.<RecipientState>of() : m.recipients()) {
                if (job.recipients().contains(r.address()) && !r.isFinal() && !r.held() && attempt.add(r.address())) {
                    recipients.add(r.outbound());
                }
            }
            // Those an operator held, bounced or deleted since the job was queued are no longer in flight.
            unmark(job.messageId(), job.recipients().stream().filter(a -> !attempt.contains(a)).toList());
            if (recipients.isEmpty()) {
                return null;
            }
            return new DeliveryRequest(m.id(), m.sender(), recipients, job.route(), m.size(),
                    m.bodyType() == BodyType.EIGHT_BIT_MIME, m.smtpUtf8(), queue.content(m.id()),
                    m.ret() == null ? null : m.ret().name(), m.envid());
        });
    }

    /** Applies a report: DSNs first, so that a crash before the state is written repeats the attempt rather than lose a DSN. */
    private void complete(DeliveryRequest request, DeliveryReport report) {
        String id = request.queueId();
        List<String> attempted = request.recipients().stream().map(OutboundRecipient::address).toList();
        locked(id, () -> {
            unmark(id, attempted);
            QueuedMessage m = queue.message(id).orElse(null);
            if (m == null) {
                LOG.info("{}: attempt to {} ended after the message left the queue: {}", id, request.route(), report.outcomes());
                return null;
            }
            Instant now = clock.instant();
            Outcomes.Applied applied = Outcomes.attempt(m, attempted, report, now, settings);
            applied.events().forEach(e -> QueueLog.event(id, request.route(), e));
            try {
                notifier.send(applied.message(), applied.events(), now);
            } catch (IOException e) {
                LOG.error("{}: cannot queue the failure DSN, so the failures stay deferred: {}", id, e.toString());
                Outcomes.Redeferred kept = Outcomes.keepFailuresDeferred(applied, now, settings.retry());
                applied = kept.applied();
                // the log's last word on those recipients is what they are left in: deferred
                kept.redeferred().forEach(ev -> QueueLog.event(id, request.route(), ev));
            }
            write(applied.message());
            return null;
        });
    }

    /** @return null, so that it can end a {@link Step} */
    private Void unmark(String id, List<String> recipients) {
        Set<String> flying = inFlight.get(id);
        if (flying != null) {
            recipients.forEach(flying::remove);
            if (flying.isEmpty()) {
                inFlight.remove(id);
            }
        }
        return null;
    }
}
