package dev.postern.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(10)
class BoundedVirtualThreadsTest {

    @Test
    void refusesATaskBeyondTheLimitAndTakesOneAgainOnceATaskHasEnded() throws Exception {
        BoundedVirtualThreads executor = new BoundedVirtualThreads("test-", 2);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(2);
        String[] threadName = new String[1];
        for (int i = 0; i < 2; i++) {
            executor.execute(() -> {
                threadName[0] = Thread.currentThread().isVirtual() ? Thread.currentThread().getName() : "platform";
                running.countDown();
                awaitQuietly(release);
            });
        }
        assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(threadName[0]).startsWith("test-");
        assertThatThrownBy(() -> executor.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);

        release.countDown();
        CountDownLatch ran = new CountDownLatch(1);
        while (ran.getCount() > 0) {
            try {
                executor.execute(ran::countDown);
                assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
            } catch (RejectedExecutionException stillBusy) {
                Thread.sleep(5);
            }
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
