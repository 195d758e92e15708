package dev.postern.relay.client.internal;

import dev.postern.relay.client.netty.Connection;
import dev.postern.relay.client.protocol.Deadline;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Connections per route, bounded per route and overall (Postfix's per-destination concurrency): a slot
 * is taken for each connection open or being opened, idle ones included. A finished session is kept idle
 * for a short time and handed to the next delivery of its route; an idle one is closed with QUIT when its
 * time is up, when the server closes it, or when another route needs its slot.
 */
final class ConnectionPool {

    private record Idle(Session session, long since) {
    }

    private final int maxPerRoute;
    private final int maxTotal;
    private final Duration idleTime;
    private final ScheduledExecutorService timer;
    private final Executor quitter;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition freed = lock.newCondition();
    private final Map<String, Integer> perRoute = new HashMap<>();
    private final Map<String, Deque<Idle>> idle = new HashMap<>();
    private final Set<Lease> leases = new HashSet<>();
    private int total;
    private boolean closed;

    /**
     * @param maxPerRoute connections per route at most
     * @param maxTotal    connections at most
     * @param idleTime    how long a finished session waits for the next delivery
     * @param timer       schedules the end of idle time
     * @param quitter     runs QUIT (which waits for a reply) off the timer's thread
     */
    ConnectionPool(int maxPerRoute, int maxTotal, Duration idleTime, ScheduledExecutorService timer, Executor quitter) {
        this.maxPerRoute = maxPerRoute;
        this.maxTotal = maxTotal;
        this.idleTime = idleTime;
        this.timer = timer;
        this.quitter = quitter;
    }

    /**
     * Takes an idle session of the route, or a slot to open a connection with, waiting while all are busy.
     *
     * @param route   the route
     * @param wait    the longest wait for a slot
     * @param deadline the transaction's end, which also bounds the wait
     * @return the lease, to be closed when the delivery is over
     * @throws PoolExhausted when no slot became free in time, or the pool is closed
     */
    Lease acquire(String route, Duration wait, Deadline deadline) throws PoolExhausted {
        long end = System.nanoTime() + Math.min(wait.toNanos(), deadline.remaining().toNanos());
        List<Session> evicted = new ArrayList<>();
        lock.lock();
        try {
            while (true) {
                if (closed) {
                    throw new PoolExhausted("the relay client is closed");
                }
                Idle reusable = takeIdle(route, null);
                if (reusable != null) {
                    return lease(route, reusable.session());
                }
                int mine = perRoute.getOrDefault(route, 0);
                if (mine < maxPerRoute && total >= maxTotal) {
                    Session other = evictOtherIdle(route);
                    if (other != null) {
                        evicted.add(other);
                        continue;
                    }
                }
                if (mine < maxPerRoute && total < maxTotal) {
                    perRoute.merge(route, 1, Integer::sum);
                    total++;
                    return lease(route, null);
                }
                long left = end - System.nanoTime();
                if (left <= 0) {
                    throw new PoolExhausted("no free connection for " + route + ": " + mine + " in use (at most "
                            + maxPerRoute + " per destination, " + maxTotal + " in all)");
                }
                freed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PoolExhausted("interrupted while waiting for a connection");
        } finally {
            lock.unlock();
            evicted.forEach(this::quitLater);
        }
    }

    private Lease lease(String route, Session session) {
        Lease lease = new Lease(route, session);
        leases.add(lease);
        return lease;
    }

    /** Must hold the lock. Takes an idle session of another route (the oldest of its route) out, its slot freed. */
    private Session evictOtherIdle(String route) {
        for (Map.Entry<String, Deque<Idle>> e : idle.entrySet()) {
            if (!e.getKey().equals(route)) {
                String other = e.getKey();
                Idle oldest = takeIdle(other, e.getValue().peekLast());
                free(other);
                return oldest.session();
            }
        }
        return null;
    }

    /**
     * Must hold the lock. Takes an idle session of the route out: {@code entry}, or the newest when null.
     * A route's empty queue is dropped, so the map holds only routes with idle sessions, however many
     * domains pass through.
     */
    private Idle takeIdle(String route, Idle entry) {
        Deque<Idle> q = idle.get(route);
        if (q == null) {
            return null;
        }
        Idle taken = entry == null ? q.pollFirst() : q.remove(entry) ? entry : null;
        if (q.isEmpty()) {
            idle.remove(route);
        }
        return taken;
    }

    /** Must hold the lock. */
    private void free(String route) {
        perRoute.merge(route, -1, Integer::sum);
        perRoute.remove(route, 0);
        total--;
        freed.signalAll();
    }

    private void quitLater(Session session) {
        try {
            quitter.execute(session::quit);
        } catch (RejectedExecutionException e) {
            session.connection().close(); // the client is closing: no time for QUIT
        }
    }

    /** Ends the idle time of a session, if it is still idle and its time is up. */
    private void expire(String route, Idle entry) {
        boolean removed;
        lock.lock();
        try {
            removed = takeIdle(route, entry) != null;
            if (removed) {
                free(route);
            }
        } finally {
            lock.unlock();
        }
        if (removed) {
            quitLater(entry.session());
        }
    }

    /** Closes idle sessions with QUIT and in-flight connections at once; later acquisitions fail. */
    void close() {
        List<Session> quit = new ArrayList<>();
        List<Lease> active;
        lock.lock();
        try {
            closed = true;
            idle.values().forEach(q -> q.forEach(i -> quit.add(i.session())));
            idle.clear();
            active = new ArrayList<>(leases);
            freed.signalAll();
        } finally {
            lock.unlock();
        }
        quit.forEach(this::quitLater);
        active.forEach(Lease::abort);
    }

    /** @return connections open or being opened, idle ones included */
    int open() {
        lock.lock();
        try {
            return total;
        } finally {
            lock.unlock();
        }
    }

    /** One delivery's hold on a slot of its route. */
    final class Lease implements AutoCloseable {

        private final String route;
        private Session reused;
        private Connection current;
        private boolean held = true;

        private Lease(String route, Session reused) {
            this.route = route;
            this.reused = reused;
            this.current = reused == null ? null : reused.connection();
        }

        /** @return the idle session handed over, once (null when none, or already taken) */
        Session takeReused() {
            Session s = reused;
            reused = null;
            return s;
        }

        /** Records the connection now in use, so {@link ConnectionPool#close} can end it; closes the previous one. */
        void using(Connection connection) {
            lock.lock();
            try {
                if (current != null && current != connection) {
                    current.close();
                }
                current = connection;
                if (closed) {
                    connection.abort("the relay client is closing");
                }
            } finally {
                lock.unlock();
            }
        }

        /** Keeps the session for the next delivery of the route; the slot stays taken. */
        void keep(Session session) {
            Idle entry = new Idle(session, System.nanoTime());
            lock.lock();
            try {
                if (!held) {
                    return;
                }
                held = false;
                leases.remove(this);
                if (closed || !session.connection().idle()) {
                    free(route);
                    session.connection().close();
                    return;
                }
                idle.computeIfAbsent(route, r -> new ArrayDeque<>()).addFirst(entry);
                freed.signalAll();
            } finally {
                lock.unlock();
            }
            session.connection().onClose(() -> expire(route, entry));
            timer.schedule(() -> expire(route, entry), idleTime.toNanos(), TimeUnit.NANOSECONDS);
        }

        private void abort() {
            Connection c;
            lock.lock();
            try {
                c = current;
            } finally {
                lock.unlock();
            }
            if (c != null) {
                c.abort("the relay client is closing");
            }
        }

        /** Frees the slot now, closing the connection, unless {@link #keep} took the session. */
        void release() {
            lock.lock();
            try {
                if (!held) {
                    return;
                }
                held = false;
                leases.remove(this);
                if (current != null) {
                    current.close();
                }
                free(route);
            } finally {
                lock.unlock();
            }
        }

        /** {@link #release()}, at the end of the delivery. */
        @Override
        public void close() {
            release();
        }
    }
}
