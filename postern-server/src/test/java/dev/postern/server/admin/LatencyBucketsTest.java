package dev.postern.server.admin;

import dev.postern.SmtpServer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.InstantSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-interval quantiles the admin page charts: exact nearest rank, bounded, reset per interval. */
class LatencyBucketsTest {

    @Test
    void medianAndP90AreNearestRankOverTheInterval() {
        LatencyBuckets b = new LatencyBuckets();
        for (int ms = 10; ms >= 1; ms--) { // 1..10 ms, out of order
            b.messageReplied(null, null, 100, null, Duration.ofMillis(ms));
        }
        b.sessionClosed(null, null, Duration.ofSeconds(3));
        LatencyBuckets.Interval now = b.peek();
        assertThat(now.reply()).isEqualTo(new LatencyBuckets.Quantiles(10, 5.0, 9.0));
        assertThat(now.session()).isEqualTo(new LatencyBuckets.Quantiles(1, 3000.0, 3000.0));
        assertThat(b.peek()).isEqualTo(now); // peeking does not end the interval
        assertThat(b.next()).isEqualTo(now);
        LatencyBuckets.Interval empty = b.next();
        assertThat(empty.reply().count()).isZero();
        assertThat(empty.reply().p50Millis()).isNaN();
        assertThat(empty.session().p90Millis()).isNaN();
    }

    @Test
    void anIntervalKeepsAtMostItsCapacityButCountsEverything() {
        LatencyBuckets b = new LatencyBuckets();
        int total = LatencyBuckets.CAPACITY * 3;
        for (int i = 0; i < total; i++) {
            b.messageReplied(null, null, 1, null, Duration.ofMillis(i < LatencyBuckets.CAPACITY ? 1 : 1000));
        }
        LatencyBuckets.Quantiles q = b.next().reply();
        assertThat(q.count()).isEqualTo(total);
        // the values kept are the first CAPACITY ones
        assertThat(q.p90Millis()).isEqualTo(1.0);
    }

    @Test
    void metricsHistoryChartsTheQuantilesPerIntervalWithNullForAnEmptyOne() {
        SmtpServer smtp = SmtpServer.builder().build();
        try (MetricsHistory history = new MetricsHistory(smtp, null, Duration.ofHours(1), Duration.ofHours(3),
                InstantSource.system())) {
            history.sample(); // the one the constructor's schedule may also take: either way an empty interval
            var json = history.json();
            var replies = json.at("/latencies/message_reply_ms_p50");
            assertThat(replies).hasSize(json.get("times").size());
            assertThat(replies.get(replies.size() - 1).isNull()).isTrue();
            assertThat(json.at("/latencies/session_ms_p90")).hasSize(json.get("times").size());
            assertThat(json.at("/latencies/session_count/0").asInt()).isZero();
        }
    }
}
