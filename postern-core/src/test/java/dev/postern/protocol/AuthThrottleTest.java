package dev.postern.protocol;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link AuthThrottle}: failures per client, the lock, its growing delay, its end, its memory bound. */
class AuthThrottleTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static InetAddress ip(String s) throws UnknownHostException {
        return InetAddress.getByName(s);
    }

    @Test
    void locksAfterMaxFailuresWithinTheWindowWithADoublingDelayUntilTheWindowPasses() throws Exception {
        AuthThrottle t = new AuthThrottle(3, Duration.ofMinutes(10));
        InetAddress a = ip("192.0.2.1");
        t.failure(a, T0);
        t.failure(a, T0.plusSeconds(1));
        assertThat(t.refusalDelay(a, T0.plusSeconds(2))).isNull();
        t.failure(a, T0.plusSeconds(2)); // the third: locked until T0 + 2 s + 10 min
        assertThat(t.refusalDelay(a, T0.plusSeconds(3))).isEqualTo(Duration.ofSeconds(1));
        assertThat(t.refusalDelay(a, T0.plusSeconds(4))).isEqualTo(Duration.ofSeconds(2));
        assertThat(t.refusalDelay(a, T0.plusSeconds(5))).isEqualTo(Duration.ofSeconds(4));
        assertThat(t.refusalDelay(a, T0.plusSeconds(6))).isEqualTo(Duration.ofSeconds(8));
        assertThat(t.refusalDelay(a, T0.plusSeconds(7))).isEqualTo(Duration.ofSeconds(16));
        assertThat(t.refusalDelay(a, T0.plusSeconds(8))).isEqualTo(Duration.ofSeconds(30));
        assertThat(t.refusalDelay(a, T0.plusSeconds(9))).isEqualTo(Duration.ofSeconds(30));
        assertThat(t.refusalDelay(a, T0.plusSeconds(2).plus(Duration.ofMinutes(10)).minusMillis(1))).isNotNull();
        assertThat(t.refusalDelay(a, T0.plusSeconds(2).plus(Duration.ofMinutes(10)))).isNull();
        // a clean slate afterwards: one failure does not lock again
        t.failure(a, T0.plus(Duration.ofMinutes(11)));
        assertThat(t.refusalDelay(a, T0.plus(Duration.ofMinutes(11)))).isNull();
    }

    @Test
    void failuresOlderThanTheWindowDoNotCount() throws Exception {
        AuthThrottle t = new AuthThrottle(2, Duration.ofMinutes(1));
        InetAddress a = ip("192.0.2.1");
        t.failure(a, T0);
        t.failure(a, T0.plusSeconds(60)); // the first is a minute old: a new window starts here
        assertThat(t.refusalDelay(a, T0.plusSeconds(61))).isNull();
        t.failure(a, T0.plusSeconds(90));
        assertThat(t.refusalDelay(a, T0.plusSeconds(91))).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void clientsAreCountedApart() throws Exception {
        AuthThrottle t = new AuthThrottle(1, Duration.ofMinutes(1));
        t.failure(ip("192.0.2.1"), T0);
        assertThat(t.refusalDelay(ip("192.0.2.1"), T0)).isNotNull();
        assertThat(t.refusalDelay(ip("192.0.2.2"), T0)).isNull();
        assertThat(t.refusalDelay(ip("2001:db8::1"), T0)).isNull();
    }

    @Test
    void offCountsNothing() throws Exception {
        AuthThrottle t = new AuthThrottle(0, Duration.ofMinutes(1));
        for (int i = 0; i < 100; i++) {
            t.failure(ip("192.0.2.1"), T0);
        }
        assertThat(t.refusalDelay(ip("192.0.2.1"), T0)).isNull();
        assertThat(t.tracked()).isZero();
    }

    @Test
    void memoryIsBoundedAndTheLeastRecentlyFailedIsForgotten() throws Exception {
        AuthThrottle t = new AuthThrottle(1, Duration.ofHours(1));
        InetAddress first = ip("10.0.0.0");
        t.failure(first, T0);
        for (int i = 1; i <= AuthThrottle.MAX_TRACKED; i++) {
            t.failure(InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i}), T0);
        }
        assertThat(t.tracked()).isEqualTo(AuthThrottle.MAX_TRACKED);
        assertThat(t.refusalDelay(first, T0)).isNull(); // evicted
        assertThat(t.refusalDelay(ip("10.0.39.16"), T0)).isNotNull(); // 10000: the newest
    }
}
