package dev.postern.netty;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The sessions of a server that have not finished their disconnect yet. A graceful stop waits here:
 * the last session to finish wakes it, so it neither polls nor sleeps longer than needed.
 */
final class OpenSessions {

    private final Set<SessionBridge> open = ConcurrentHashMap.newKeySet();
    private final Object emptied = new Object();
    /** Set once someone waits, so that sessions ending while nobody waits never touch the lock. */
    private volatile boolean awaited;

    void add(SessionBridge session) {
        open.add(session);
    }

    void remove(SessionBridge session) {
        open.remove(session);
        if (awaited && open.isEmpty()) {
            synchronized (emptied) {
                emptied.notifyAll();
            }
        }
    }

    List<SessionBridge> snapshot() {
        return List.copyOf(open);
    }

    /** Waits until every session has finished, at most {@code nanos}; true when none is left. */
    boolean awaitEmpty(long nanos) {
        awaited = true;
        long until = System.nanoTime() + nanos;
        synchronized (emptied) {
            while (!open.isEmpty()) {
                long left = until - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(emptied, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return open.isEmpty();
                }
            }
        }
        return true;
    }
}
