package dev.postern.relay.queue;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetryScheduleTest {

    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");

    @Test
    void defaultStepsThenTheLastRepeating() {
        RetrySchedule s = RetrySchedule.DEFAULT;
        assertThat(s.steps()).containsExactly(Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15),
                Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofHours(2), Duration.ofHours(4));
        assertThat(s.maxQueueTime()).isEqualTo(Duration.ofDays(5));
        assertThat(s.nextAttempt(1, T0, T0)).isEqualTo(T0.plus(Duration.ofMinutes(1)));
        assertThat(s.nextAttempt(7, T0, T0)).isEqualTo(T0.plus(Duration.ofHours(4)));
        assertThat(s.nextAttempt(30, T0, T0)).isEqualTo(T0.plus(Duration.ofHours(4)));
    }

    @Test
    void theLastWaitEndsAtTheDeadlineAndAfterItTheWaitIsWhole() {
        RetrySchedule s = RetrySchedule.parse("1h", Duration.ofHours(5));
        Instant late = T0.plus(Duration.ofMinutes(4 * 60 + 30));
        assertThat(s.nextAttempt(5, T0, late)).isEqualTo(T0.plus(Duration.ofHours(5)));
        assertThat(s.expired(T0, T0.plus(Duration.ofHours(5)))).isTrue();
        assertThat(s.expired(T0, T0.plus(Duration.ofHours(5)).minusNanos(1))).isFalse();
        Instant past = T0.plus(Duration.ofHours(6));
        assertThat(s.nextAttempt(6, T0, past)).isEqualTo(past.plus(Duration.ofHours(1)));
    }

    @Test
    void parsesUnits() {
        assertThat(RetrySchedule.parse("30s, 2m,1H,1d", Duration.ofDays(1)).steps()).containsExactly(
                Duration.ofSeconds(30), Duration.ofMinutes(2), Duration.ofHours(1), Duration.ofDays(1));
    }

    @Test
    void refusesNonsense() {
        for (String bad : new String[] {"", "5", "1w", "-1m", "0m", "1m,,2m", "m"}) {
            assertThatThrownBy(() -> RetrySchedule.parse(bad, Duration.ofDays(1))).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> RetrySchedule.parse("1m", Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }
}
