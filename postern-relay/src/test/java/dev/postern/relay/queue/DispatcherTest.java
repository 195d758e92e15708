package dev.postern.relay.queue;

import dev.postern.relay.queue.Dispatcher.Job;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DispatcherTest {

    private final List<Job> started = new ArrayList<>();
    private final Dispatcher dispatcher = new Dispatcher(3, 2, Runnable::run, started::add);

    private static Job job(String route, int n) {
        return new Job("m" + n, route, List.of("r" + n + "@" + route));
    }

    @Test
    void boundsTheTotalAndEachRoute() {
        for (int i = 0; i < 5; i++) {
            dispatcher.submit(job("a", i));
        }
        assertThat(started).extracting(Job::messageId).containsExactly("m0", "m1");
        dispatcher.submit(job("b", 10));
        dispatcher.submit(job("b", 11));
        assertThat(started).extracting(Job::messageId).containsExactly("m0", "m1", "m10");
        assertThat(dispatcher.running()).isEqualTo(3);
    }

    @Test
    void aFreeSlotGoesToTheRoutesInTurn() {
        Dispatcher one = new Dispatcher(1, 1, Runnable::run, started::add);
        one.submit(job("a", 0));
        one.submit(job("a", 1));
        one.submit(job("a", 2));
        one.submit(job("b", 10));
        one.submit(job("c", 20));
        for (int i = 0; i < 4; i++) {
            one.finished(started.get(started.size() - 1));
        }
        assertThat(started).extracting(Job::messageId).containsExactly("m0", "m1", "m10", "m20", "m2");
    }

    @Test
    void closeDropsTheWaitingAndWaitsForTheRunning() throws InterruptedException {
        for (int i = 0; i < 4; i++) {
            dispatcher.submit(job("a", i));
        }
        assertThat(dispatcher.close()).extracting(Job::messageId).containsExactly("m2", "m3");
        assertThat(dispatcher.submit(job("b", 9))).isFalse();
        assertThat(dispatcher.awaitIdle(java.time.Duration.ofMillis(1))).isFalse();
        dispatcher.finished(started.get(0));
        dispatcher.finished(started.get(1));
        assertThat(dispatcher.awaitIdle(java.time.Duration.ofMillis(1))).isTrue();
        assertThat(started).hasSize(2);
    }
}
