package dev.postern.relay.queue;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs a task at a given time: the manager's only clock-driven step (a message's next attempt). An
 * interface so that tests drive time by hand instead of sleeping.
 */
interface Scheduler {

    /** A scheduled task, which can be called off. */
    interface Task {
        void cancel();
    }

    /** Runs {@code task} at {@code when} (at once if it has passed), on the scheduler's thread. */
    Task at(Instant when, Runnable task);

    /** Calls off every task; nothing runs after this returns. */
    void close();

    /** One daemon thread that sleeps until the earliest task is due: no polling. */
    static Scheduler system(InstantSource clock) {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "postern-queue-timer");
            t.setDaemon(true);
            return t;
        });
        // Cancelled tasks leave the executor's heap at once: a queue re-arms a timer on every attempt.
        executor.setRemoveOnCancelPolicy(true);
        return new Scheduler() {
            @Override
            public Task at(Instant when, Runnable task) {
                long delay = Math.max(0, Duration.between(clock.instant(), when).toMillis());
                var future = executor.schedule(task, delay, TimeUnit.MILLISECONDS);
                return () -> future.cancel(false);
            }

            @Override
            public void close() {
                executor.shutdownNow();
            }
        };
    }
}
