package dev.postern.relay.queue;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Admits delivery attempts within the concurrency bounds: at most {@code maxTotal} in flight, at most
 * {@code maxPerRoute} to one route, as Postfix's queue manager limits each destination. The others wait,
 * in order within a route; a free slot goes to the routes in turn, so that one busy destination cannot
 * hold every slot while others wait. Event driven: an attempt starts when submitted or when another ends.
 */
final class Dispatcher {

    /** One attempt: a message's recipients of one route. */
    record Job(String messageId, String route, List<String> recipients) {
    }

    private final int maxTotal;
    private final int maxPerRoute;
    private final Executor executor;
    private final Consumer<Job> starter;
    /** Waiting jobs per route; a route that got a slot goes to the end. Guarded by this. */
    private final LinkedHashMap<String, ArrayDeque<Job>> waiting = new LinkedHashMap<>();
    private final Map<String, Integer> running = new HashMap<>();
    private int total;
    private boolean closed;

    /**
     * @param starter runs a job on the executor; it must call {@link #finished} exactly once when the job ends
     */
    Dispatcher(int maxTotal, int maxPerRoute, Executor executor, Consumer<Job> starter) {
        this.maxTotal = maxTotal;
        this.maxPerRoute = maxPerRoute;
        this.executor = executor;
        this.starter = starter;
    }

    /** @return whether the job was taken (false once closed) */
    boolean submit(Job job) {
        List<Job> start;
        synchronized (this) {
            if (closed) {
                return false;
            }
            waiting.computeIfAbsent(job.route(), r -> new ArrayDeque<>()).add(job);
            start = admit();
        }
        launch(start);
        return true;
    }

    void finished(Job job) {
        List<Job> start;
        synchronized (this) {
            total--;
            running.merge(job.route(), -1, (a, b) -> a + b == 0 ? null : a + b);
            start = admit();
            notifyAll();
        }
        launch(start);
    }

    /** Stops admitting; returns the jobs that were waiting and will not run. */
    synchronized List<Job> close() {
        closed = true;
        List<Job> dropped = new ArrayList<>();
        waiting.values().forEach(dropped::addAll);
        waiting.clear();
        return dropped;
    }

    /** Waits, up to {@code timeout}, until no job runs; returns whether none does. */
    synchronized boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (total > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    synchronized int running() {
        return total;
    }

    private List<Job> admit() {
        List<Job> start = new ArrayList<>();
        while (!closed && total < maxTotal) {
            String route = null;
            for (String r : waiting.keySet()) {
                if (running.getOrDefault(r, 0) < maxPerRoute) {
                    route = r;
                    break;
                }
            }
            if (route == null) {
                break;
            }
            ArrayDeque<Job> jobs = waiting.remove(route);
            start.add(jobs.poll());
            if (!jobs.isEmpty()) {
                waiting.put(route, jobs);
            }
            total++;
            running.merge(route, 1, Integer::sum);
        }
        return start;
    }

    private void launch(List<Job> jobs) {
        for (Job job : jobs) {
            executor.execute(() -> starter.accept(job));
        }
    }
}
