package dev.postern.relay.client.netty;

import io.netty.util.concurrent.Future;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits for a Netty future from a virtual thread. Netty's own {@code await} blocks in a monitor, which
 * pins the carrier thread on Java 21; a CompletableFuture parks instead.
 */
final class Await {

    private Await() {
    }

    /**
     * @param future  the Netty future
     * @param timeout the longest wait
     * @return its value
     * @throws ExecutionException   with the future's cause when it failed or was cancelled
     * @throws TimeoutException     when it did not complete in time
     * @throws InterruptedException when the waiting thread was interrupted
     */
    static <T> T get(Future<T> future, Duration timeout) throws ExecutionException, TimeoutException, InterruptedException {
        CompletableFuture<T> done = new CompletableFuture<>();
        future.addListener(f -> {
            if (f.isSuccess()) {
                done.complete(future.getNow());
            } else {
                done.completeExceptionally(f.cause() == null ? new CancellationException("cancelled") : f.cause());
            }
        });
        return done.get(Math.max(1, timeout.toNanos()), TimeUnit.NANOSECONDS);
    }
}
