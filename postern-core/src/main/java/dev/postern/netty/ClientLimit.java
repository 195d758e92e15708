package dev.postern.netty;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * {@code maxConnectionsPerClient}: open connections per real client address (after PROXY and onProxy),
 * server-wide. A session takes its place when it starts and gives it back at disconnect.
 */
final class ClientLimit {

    private final int limit;
    private final ConcurrentMap<InetAddress, Integer> open = new ConcurrentHashMap<>();

    ClientLimit(int limit) {
        this.limit = limit;
    }

    boolean enabled() {
        return limit > 0;
    }

    int limit() {
        return limit;
    }

    /** Counts one more connection of {@code client}, unless it already holds the maximum. */
    boolean admit(InetAddress client) {
        boolean[] admitted = {false};
        open.compute(client, (k, n) -> {
            int count = n == null ? 0 : n;
            if (count >= limit) {
                return n;
            }
            admitted[0] = true;
            return count + 1;
        });
        return admitted[0];
    }

    void release(InetAddress client) {
        open.computeIfPresent(client, (k, n) -> n <= 1 ? null : n - 1);
    }

    /** @return the addresses counted now: only those with a connection open (a count of 0 is no entry) */
    int tracked() {
        return open.size();
    }
}
