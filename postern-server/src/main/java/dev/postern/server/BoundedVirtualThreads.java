package dev.postern.server;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;

/**
 * Runs each task in a virtual thread of its own, at most {@code limit} at once; a task beyond that is
 * refused at once with {@link RejectedExecutionException}, never queued. For the monitoring endpoint:
 * the JDK's HTTP server closes the connection of a request its executor refuses, so a flood of requests
 * costs closed connections, not threads or memory.
 */
final class BoundedVirtualThreads implements Executor {

    private final Semaphore permits;
    private final ThreadFactory threads;

    BoundedVirtualThreads(String namePrefix, int limit) {
        this.permits = new Semaphore(limit);
        this.threads = Thread.ofVirtual().name(namePrefix, 0).factory();
    }

    @Override
    public void execute(Runnable task) {
        if (!permits.tryAcquire()) {
            throw new RejectedExecutionException("already running the most tasks at once");
        }
        try {
            threads.newThread(() -> {
                try {
                    task.run();
                } finally {
                    permits.release();
                }
            }).start();
        } catch (RuntimeException | Error e) {
            permits.release();
            throw e;
        }
    }
}
