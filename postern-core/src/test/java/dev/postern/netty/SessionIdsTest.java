package dev.postern.netty;

import org.junit.jupiter.api.Test;

import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

class SessionIdsTest {

    @Test
    void idsAreUpperCaseBase36OfAnIncreasingCounter() {
        long millis = 1_764_000_000_000L;
        SessionIds ids = new SessionIds(millis);
        for (long i = 0; i < 1000; i++) {
            assertThat(ids.next()).isEqualTo(Long.toString(millis * 1000 + i, 36).toUpperCase(Locale.ROOT));
        }
        assertThat(new SessionIds(0).next()).isEqualTo("0");
    }
}
