package dev.postern.protocol;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code authFailureLimit}: failed AUTH attempts per real client address, server-wide, and the refusal
 * (with its growing delay) of AUTH from a client that failed too often. Sans-I/O: the caller gives the
 * time; the delay is applied by the transport (it stops reading, no thread waits).
 *
 * <p>Memory is bounded: at most {@link #MAX_TRACKED} clients, least recently failed forgotten first.
 * Thread-safe (one instance serves every session).
 */
public final class AuthThrottle {

    /** Clients tracked at once; the bound documented on {@code SmtpServerConfig.Builder#authFailureLimit}. */
    public static final int MAX_TRACKED = 10_000;
    /** The delay before the first refusal; each further refusal doubles it, up to {@link #MAX_DELAY}. */
    static final Duration FIRST_DELAY = Duration.ofSeconds(1);
    static final Duration MAX_DELAY = Duration.ofSeconds(30);

    /** No limit: {@code maxFailures} 0. */
    public static final AuthThrottle OFF = new AuthThrottle(0, Duration.ofSeconds(1));

    private final int maxFailures;
    private final Duration window;
    private final Map<InetAddress, Failures> clients = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<InetAddress, Failures> eldest) {
            return size() > MAX_TRACKED;
        }
    };

    /** One client's failures: counted from {@code since}; locked until {@code lockedUntil} once at the limit. */
    private static final class Failures {
        Instant since;
        int count;
        Instant lockedUntil;
        int refusals;
    }

    public AuthThrottle(int maxFailures, Duration window) {
        this.maxFailures = maxFailures;
        this.window = window;
    }

    public boolean enabled() {
        return maxFailures > 0;
    }

    /**
     * Whether {@code client} may start AUTH now.
     *
     * @return null if it may; otherwise the delay after which its refusal (454 4.7.0) is to be sent
     */
    public synchronized Duration refusalDelay(InetAddress client, Instant now) {
        if (!enabled()) {
            return null;
        }
        Failures f = clients.get(client);
        if (f == null || f.lockedUntil == null) {
            return null;
        }
        if (!now.isBefore(f.lockedUntil)) {
            clients.remove(client); // the window passed: a clean slate
            return null;
        }
        int doublings = Math.min(f.refusals++, 5);
        Duration delay = FIRST_DELAY.multipliedBy(1L << doublings);
        return delay.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : delay;
    }

    /** {@code client} failed AUTH (the handler rejected its credentials). */
    public synchronized void failure(InetAddress client, Instant now) {
        if (!enabled()) {
            return;
        }
        Failures f = clients.get(client);
        if (f == null || (f.lockedUntil == null && !now.isBefore(f.since.plus(window)))
                || (f.lockedUntil != null && !now.isBefore(f.lockedUntil))) {
            f = new Failures();
            f.since = now;
            clients.put(client, f);
        }
        f.count++;
        if (f.count >= maxFailures && f.lockedUntil == null) {
            f.lockedUntil = now.plus(window);
        }
    }

    /** Clients tracked now, for tests of the bound. */
    synchronized int tracked() {
        return clients.size();
    }
}
