package dev.postern.netty;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class EventLoopsTest {

    @Test
    void zeroMeansHalfTheCoresAndAtLeastOne() {
        int cores = Runtime.getRuntime().availableProcessors();
        assertThat(NettyTransport.eventLoops(0)).isEqualTo(Math.max(1, cores / 2)).isPositive();
    }

    @Test
    void aConfiguredCountIsKept() {
        assertThat(NettyTransport.eventLoops(3)).isEqualTo(3);
    }
}
