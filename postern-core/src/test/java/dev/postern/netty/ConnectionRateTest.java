package dev.postern.netty;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link ConnectionRate}: Exim's smoothed per_conn rate, leaky, per client, bounded. */
class ConnectionRateTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static InetAddress ip(String s) throws UnknownHostException {
        return InetAddress.getByName(s);
    }

    @Test
    void aBurstGetsExactlyTheLimit() throws Exception {
        ConnectionRate r = new ConnectionRate(3, Duration.ofHours(1));
        InetAddress a = ip("192.0.2.1");
        assertThat(r.admit(a, T0)).isTrue();
        assertThat(r.admit(a, T0.plusMillis(1))).isTrue();
        assertThat(r.admit(a, T0.plusMillis(2))).isTrue();
        assertThat(r.admit(a, T0.plusMillis(3))).isFalse();
        assertThat(r.admit(a, T0.plusMillis(4))).isFalse();
        assertThat(r.admit(ip("192.0.2.2"), T0.plusMillis(5))).isTrue();
    }

    @Test
    void theRateDecaysAsExims() throws Exception {
        ConnectionRate r = new ConnectionRate(2, Duration.ofMinutes(1));
        InetAddress a = ip("192.0.2.1");
        assertThat(r.admit(a, T0)).isTrue();
        assertThat(r.admit(a, T0)).isTrue(); // rate 2: at the limit, not over it
        assertThat(r.admit(a, T0.plusSeconds(1))).isFalse(); // 2 * e^(-1/60) + ~1 > 2
        // after one period the stored 2 has decayed to 2/e = 0.74; plus (1 - 1/e) / 1 = 0.63: 1.37
        assertThat(r.admit(a, T0.plusSeconds(60))).isTrue();
        assertThat(r.admit(a, T0.plusSeconds(60))).isFalse(); // 2.37
    }

    @Test
    void refusedConnectionsDoNotCountLeakyMode() throws Exception {
        ConnectionRate r = new ConnectionRate(1, Duration.ofSeconds(10));
        InetAddress a = ip("192.0.2.1");
        assertThat(r.admit(a, T0)).isTrue();
        for (int i = 1; i < 100; i++) {
            r.admit(a, T0.plusMillis(i)); // a client hammering while refused
        }
        // the stored rate is still the first connection's 1.0, decayed over 30 s (3 periods): 0.05 + 0.32
        assertThat(r.admit(a, T0.plusSeconds(30))).isTrue();
    }

    @Test
    void aFloodOfDistinctAddressesStaysBounded() throws Exception {
        ConnectionRate r = new ConnectionRate(1, Duration.ofHours(1));
        for (int i = 0; i < ConnectionRate.MAX_TRACKED + 5000; i++) {
            r.admit(InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i}), T0);
        }
        assertThat(r.tracked()).isEqualTo(ConnectionRate.MAX_TRACKED);
        assertThat(r.admit(ip("10.0.0.0"), T0)).isTrue(); // the oldest was forgotten
    }
}
