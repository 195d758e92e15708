package dev.postern.relay.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** A scheduler driven by a {@link ManualClock}: tasks run when a test advances time past them, on its thread. */
final class ManualScheduler implements Scheduler {

    private final ManualClock clock;
    private final List<Entry> tasks = new ArrayList<>();
    private long sequence;
    private boolean closed;

    private final class Entry implements Task {
        final Instant when;
        final long order = sequence++;
        final Runnable task;

        Entry(Instant when, Runnable task) {
            this.when = when;
            this.task = task;
        }

        @Override
        public void cancel() {
            synchronized (ManualScheduler.this) {
                tasks.remove(this);
            }
        }
    }

    ManualScheduler(ManualClock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized Task at(Instant when, Runnable task) {
        Entry e = new Entry(when, task);
        if (!closed) {
            tasks.add(e);
        }
        return e;
    }

    @Override
    public synchronized void close() {
        closed = true;
        tasks.clear();
    }

    /** Moves the clock and runs every task that falls due, in time order. */
    void advance(Duration d) {
        clock.advance(d);
        runDue();
    }

    /** Moves the clock to the next task's time and runs what is due then. */
    Optional<Instant> runNext() {
        Optional<Instant> next = next();
        next.ifPresent(t -> {
            if (t.isAfter(clock.instant())) {
                clock.set(t);
            }
            runDue();
        });
        return next;
    }

    void runDue() {
        while (true) {
            Entry due;
            synchronized (this) {
                due = tasks.stream().filter(e -> !e.when.isAfter(clock.instant()))
                        .min(Comparator.comparing((Entry e) -> e.when).thenComparingLong(e -> e.order)).orElse(null);
                if (due == null) {
                    return;
                }
                tasks.remove(due);
            }
            due.task.run();
        }
    }

    synchronized Optional<Instant> next() {
        return tasks.stream().map(e -> e.when).min(Instant::compareTo);
    }

    synchronized int pending() {
        return tasks.size();
    }
}
