package dev.postern.netty;

import dev.postern.ReceivedMessage;
import dev.postern.SmtpHandler;
import dev.postern.SmtpSession;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class HookRunnerTest {

    /** Records what the runner does, and on which kind of thread. */
    static final class Recorder implements HookRunner.Session {
        final List<String> seen = new CopyOnWriteArrayList<>();
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger reconsidered = new AtomicInteger();
        volatile int mostAtOnce;
        volatile boolean allVirtual = true;

        @Override
        public void consume(ByteBuf in) {
            step("bytes " + in.readableBytes());
            in.release();
        }

        @Override
        public void flush() {
            seen.add("flush");
        }

        @Override
        public boolean closed() {
            return false;
        }

        @Override
        public void reconsiderReading() {
            reconsidered.incrementAndGet();
        }

        @Override
        public void failed(Throwable e) {
            seen.add("failed " + e.getMessage());
        }

        void step(String what) {
            int now = running.incrementAndGet();
            mostAtOnce = Math.max(mostAtOnce, now);
            allVirtual &= Thread.currentThread().isVirtual();
            seen.add(what);
            running.decrementAndGet();
        }
    }

    @Test
    void stepsAndBytesRunInOrderOneAtATimeOnVirtualThreads() throws Exception {
        Recorder r = new Recorder();
        HookRunner runner = new HookRunner.OnVirtualThread(new EmbeddedChannel(), r, new Semaphore(1));
        for (int i = 0; i < 200; i++) {
            int n = i;
            if (i % 2 == 0) {
                runner.submit(() -> r.step("step " + n));
            } else {
                runner.received(Unpooled.wrappedBuffer(new byte[n]));
            }
        }
        CountDownLatch done = new CountDownLatch(1);
        runner.submit(done::countDown);
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
        List<String> work = r.seen.stream().filter(s -> !s.equals("flush")).toList();
        for (int i = 0; i < 200; i++) {
            assertThat(work.get(i)).isEqualTo(i % 2 == 0 ? "step " + i : "bytes " + i);
        }
        assertThat(r.mostAtOnce).isEqualTo(1);
        assertThat(r.allVirtual).isTrue();
    }

    @Test
    void tooMuchQueuedInputStopsReadingUntilDrained() throws Exception {
        EmbeddedChannel channel = new EmbeddedChannel();
        CountDownLatch release = new CountDownLatch(1);
        Recorder r = new Recorder();
        HookRunner runner = new HookRunner.OnVirtualThread(channel, r, new Semaphore(1));
        runner.submit(() -> {
            try {
                release.await(); // a slow hook
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(runner.busy()).isTrue();
        runner.received(Unpooled.wrappedBuffer(new byte[HookRunner.OnVirtualThread.MAX_QUEUED_BYTES]));
        assertThat(channel.config().isAutoRead()).isTrue();
        runner.received(Unpooled.wrappedBuffer(new byte[1]));
        assertThat(channel.config().isAutoRead()).isFalse();
        assertThat(runner.backlogged()).isTrue();
        release.countDown();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while ((runner.busy() || r.reconsidered.get() == 0) && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        // the session (SessionBridge) decides on the event loop whether to read again, from the backlog among others
        assertThat(runner.backlogged()).isFalse();
        assertThat(r.reconsidered.get()).isPositive();
    }

    @Test
    void aStuckStepCanBeInterrupted() throws Exception {
        Recorder r = new Recorder();
        HookRunner runner = new HookRunner.OnVirtualThread(new EmbeddedChannel(), r, new Semaphore(1));
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        runner.submit(() -> {
            started.countDown();
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
        });
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        runner.interrupt();
        assertThat(interrupted.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aNonBlockingStepRunsOnTheEventLoopWhenNothingElseIsQueued() throws Exception {
        Recorder r = new Recorder();
        HookRunner runner = new HookRunner.OnVirtualThread(new EmbeddedChannel(), r, new Semaphore(1));
        Thread caller = Thread.currentThread();
        runner.submitNonBlocking(() -> r.seen.add("greeting on caller: " + (Thread.currentThread() == caller)));
        assertThat(r.seen).containsExactly("greeting on caller: true", "flush");
        assertThat(runner.busy()).isFalse();
    }

    @Test
    void aNonBlockingStepWaitsItsTurnBehindARunningOne() throws Exception {
        Recorder r = new Recorder();
        HookRunner runner = new HookRunner.OnVirtualThread(new EmbeddedChannel(), r, new Semaphore(1));
        CountDownLatch release = new CountDownLatch(1);
        runner.submit(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            r.seen.add("slow hook");
        });
        runner.submitNonBlocking(() -> r.seen.add("then the step, virtual: " + Thread.currentThread().isVirtual()));
        assertThat(r.seen).isEmpty();
        release.countDown();
        CountDownLatch done = new CountDownLatch(1);
        runner.submit(done::countDown);
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(r.seen).startsWith("slow hook", "then the step, virtual: true");
    }

    @Test
    void theGreetingIsInlineUnlessAHookItCallsIsOverridden() {
        assertThat(HookMode.inline(new SmtpHandler() {
            @Override
            public void onMessage(SmtpSession s, ReceivedMessage m) {
            }
        }, HookMode.GREETING_HOOKS)).isTrue();
        assertThat(HookMode.inline(new SmtpHandler() {
            @Override
            public void onConnect(SmtpSession s) {
            }
        }, HookMode.GREETING_HOOKS)).isFalse();
        assertThat(HookMode.inline(new SmtpHandler() {
            @Override
            public void onMessage(SmtpSession s, ReceivedMessage m) {
            }
        })).isFalse();
    }

    @Test
    void inlineStepsRunAtOnceAndFlushAfterEach() {
        EmbeddedChannel channel = new EmbeddedChannel();
        Recorder r = new Recorder();
        HookRunner runner = new HookRunner.Inline(channel.eventLoop(), r);
        runner.submit(() -> r.seen.add("step"));
        runner.received(Unpooled.wrappedBuffer(new byte[3]));
        runner.readComplete();
        assertThat(r.seen).containsExactly("step", "flush", "bytes 3", "flush");
        assertThat(runner.busy()).isFalse();
    }
}
