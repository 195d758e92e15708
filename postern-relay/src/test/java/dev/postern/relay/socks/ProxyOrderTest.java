package dev.postern.relay.socks;

import dev.postern.relay.client.SocksProxy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ProxyOrderTest {

    private static SocksProxy proxy(String address, int pri, int weight) {
        return new SocksProxy(address, 1080, SocksProxy.Auth.NONE, "", "", Duration.ofSeconds(5), pri, weight);
    }

    @Test
    void higherPriorityFirstWhateverTheWeights() {
        List<SocksProxy> proxies = List.of(proxy("192.0.2.1", 1, 100), proxy("192.0.2.2", 5, 1), proxy("192.0.2.3", 0, 1),
                proxy("192.0.2.4", 5, 1));
        Random random = new Random(1);
        for (int i = 0; i < 200; i++) {
            List<String> order = ProxyOrder.draw(proxies, random).stream().map(SocksProxy::address).toList();
            assertThat(order.subList(0, 2)).containsExactlyInAnyOrder("192.0.2.2", "192.0.2.4");
            assertThat(order.subList(2, 4)).containsExactly("192.0.2.1", "192.0.2.3");
        }
    }

    @Test
    void weightZeroIsNeverChosenButLowerPrioritiesStillAre() {
        List<SocksProxy> proxies = List.of(proxy("192.0.2.1", 9, 0), proxy("192.0.2.2", 1, 1));
        Random random = new Random(2);
        for (int i = 0; i < 100; i++) {
            assertThat(ProxyOrder.draw(proxies, random)).extracting(SocksProxy::address).containsExactly("192.0.2.2");
        }
    }

    @Test
    void firstPickFollowsTheWeights() {
        List<SocksProxy> proxies = List.of(proxy("192.0.2.1", 1, 1), proxy("192.0.2.2", 1, 2), proxy("192.0.2.3", 1, 7));
        Map<String, Integer> first = new HashMap<>();
        Map<String, Integer> second = new HashMap<>();
        Random random = new Random(42);
        int draws = 100_000;
        for (int i = 0; i < draws; i++) {
            List<SocksProxy> order = ProxyOrder.draw(proxies, random);
            assertThat(order).hasSize(3).doesNotHaveDuplicates();
            first.merge(order.get(0).address(), 1, Integer::sum);
            second.merge(order.get(1).address(), 1, Integer::sum);
        }
        assertThat(first.get("192.0.2.1") / (double) draws).isCloseTo(0.1, within(0.01));
        assertThat(first.get("192.0.2.2") / (double) draws).isCloseTo(0.2, within(0.01));
        assertThat(first.get("192.0.2.3") / (double) draws).isCloseTo(0.7, within(0.01));
        // Without replacement: P(second = w1) = P(w2 first) * 1/8 + P(w7 first) * 1/3.
        assertThat(second.get("192.0.2.1") / (double) draws).isCloseTo(0.2 / 8 + 0.7 / 3, within(0.01));
        assertThat(second.get("192.0.2.3") / (double) draws).isCloseTo(0.1 * 7 / 9 + 0.2 * 7 / 8, within(0.01));
    }

    @Test
    void equalWeightsAreEquallyLikelyUnlikeEximsOffByOne() {
        List<SocksProxy> proxies = List.of(proxy("192.0.2.1", 1, 1), proxy("192.0.2.2", 1, 1));
        Random random = new Random(7);
        int firstWins = 0;
        for (int i = 0; i < 20_000; i++) {
            if (ProxyOrder.draw(proxies, random).get(0).address().equals("192.0.2.1")) {
                firstWins++;
            }
        }
        assertThat(firstWins / 20_000.0).isCloseTo(0.5, within(0.02));
    }
}
