package dev.postern.relay.socks;

import dev.postern.relay.client.SocksProxy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * The order in which one connection tries the proxies, as Exim's {@code socks_get_proxy} intends it: the
 * highest priority first; within a priority, a random pick weighted by {@code weight}; a proxy that fails
 * is dropped and the pick repeats among the rest. That is weighted sampling without replacement, so the
 * whole failover order can be drawn up front.
 *
 * <p>Two deliberate differences from Exim's code, whose documentation says "weighted by this value":
 * <ul>
 *   <li>Exim picks with {@code (rnd -= weight) <= 0} over {@code rnd} in {@code [0, total)}, an off-by-one
 *       that favours the first proxy of a priority (two proxies of weight 1: the first always wins). Here
 *       each proxy's chance is exactly its weight over the total.</li>
 *   <li>Weight 0: Exim chooses such a proxy only through that off-by-one (when it comes first and the draw
 *       is 0), and when only weight-0 proxies remain at the highest priority it gives up without trying
 *       lower priorities. Here a weight-0 proxy is never chosen (a way to switch one off without deleting
 *       it), and lower priorities are still tried.</li>
 * </ul>
 */
public final class ProxyOrder {

    private ProxyOrder() {
    }

    /**
     * Draws a failover order.
     *
     * @param proxies the configured proxies
     * @param random  the random source (injected so tests can check the distribution)
     * @return every proxy of positive weight, in the order to try them
     */
    public static List<SocksProxy> draw(List<SocksProxy> proxies, RandomGenerator random) {
        Map<Integer, List<SocksProxy>> byPriority = new TreeMap<>(Comparator.reverseOrder());
        for (SocksProxy p : proxies) {
            if (p.weight() > 0) {
                byPriority.computeIfAbsent(p.priority(), k -> new ArrayList<>()).add(p);
            }
        }
        List<SocksProxy> order = new ArrayList<>(proxies.size());
        for (List<SocksProxy> group : byPriority.values()) {
            List<SocksProxy> left = new ArrayList<>(group);
            long total = left.stream().mapToLong(SocksProxy::weight).sum();
            while (!left.isEmpty()) {
                long r = random.nextLong(total);
                int i = 0;
                while (r >= left.get(i).weight()) {
                    r -= left.get(i).weight();
                    i++;
                }
                SocksProxy chosen = left.remove(i);
                total -= chosen.weight();
                order.add(chosen);
            }
        }
        return order;
    }
}
