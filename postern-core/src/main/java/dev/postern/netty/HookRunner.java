package dev.postern.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where one session's protocol runs: every step (received bytes, the greeting, a timeout's 421, the
 * disconnect) in order, one at a time. {@link Inline} runs them on the event loop, for handlers whose
 * hooks do not block; {@link OnVirtualThread} queues them and drains the queue on a virtual thread.
 */
abstract sealed class HookRunner {

    /** What the runner drives: the session side of the connection. */
    interface Session {
        /** Feeds received bytes to the protocol. */
        void consume(ByteBuf in);

        /** Sends the replies written since the last flush. */
        void flush();

        boolean closed();

        /** A reason not to read may have gone: decide again whether to read (any thread). */
        void reconsiderReading();

        /** A step threw: the session cannot go on. */
        void failed(Throwable e);
    }

    static HookRunner of(ServerContext server, Channel channel, Session session) {
        return server.inlineHooks ? new Inline(channel.eventLoop(), session)
                : new OnVirtualThread(channel, session, server.processings);
    }

    /** Runs a step after all those submitted before it; from any thread. */
    abstract void submit(Runnable step);

    /**
     * As {@link #submit}, for a step that calls no hook that may block (the greeting, usually): when
     * nothing else is queued or running, it runs at once on the event loop, sparing the hop to a
     * virtual thread and the hop back for its replies.
     */
    abstract void submitNonBlocking(Runnable step);

    /** Bytes read from the channel (event loop). */
    abstract void received(ByteBuf buf);

    /** The end of one read from the channel (event loop). */
    abstract void readComplete();

    /** A step is running: it is the server's turn, not the client's. */
    abstract boolean busy();

    /** More input waits for the protocol than it should hold: read nothing more until it is consumed. */
    abstract boolean backlogged();

    /** Interrupts the step running now, if it is stuck in a hook on a thread of its own. */
    abstract void interrupt();

    /** Steps on the event loop; replies go out at the end of each read, or after a step from elsewhere. */
    static final class Inline extends HookRunner {
        private final EventLoop loop;
        private final Session session;

        Inline(EventLoop loop, Session session) {
            this.loop = loop;
            this.session = session;
        }

        @Override
        void submit(Runnable step) {
            if (loop.inEventLoop()) {
                step.run();
                session.flush();
            } else {
                loop.execute(() -> {
                    step.run();
                    session.flush();
                });
            }
        }

        @Override
        void submitNonBlocking(Runnable step) {
            submit(step);
        }

        @Override
        void received(ByteBuf buf) {
            session.consume(buf);
        }

        @Override
        void readComplete() {
            session.flush();
        }

        @Override
        boolean busy() {
            return false; // steps and timers share the event loop: a timer never sees a step running
        }

        @Override
        boolean backlogged() {
            return false; // input is consumed as it is read
        }

        @Override
        void interrupt() {
        }
    }

    /**
     * Steps in a queue drained by one virtual thread at a time, so hooks run in order and may block;
     * at most {@code maxProcessings} drains at once server-wide. While more than
     * {@link #MAX_QUEUED_BYTES} of input wait, the channel stops reading (back-pressure).
     */
    static final class OnVirtualThread extends HookRunner {
        static final int MAX_QUEUED_BYTES = 256 * 1024;

        private final Channel channel;
        private final Session session;
        private final Semaphore processings;
        private final Queue<Object> inbox = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean draining = new AtomicBoolean();
        private final AtomicLong queuedBytes = new AtomicLong();
        private volatile Thread worker;

        OnVirtualThread(Channel channel, Session session, Semaphore processings) {
            this.channel = channel;
            this.session = session;
            this.processings = processings;
        }

        @Override
        void submit(Runnable step) {
            inbox.add(step);
            scheduleDrain();
        }

        @Override
        void submitNonBlocking(Runnable step) {
            if (!channel.eventLoop().inEventLoop() || !draining.compareAndSet(false, true)) {
                submit(step);
                return;
            }
            // Holding the drain's flag: no step runs meanwhile, and any queued one must run first.
            try {
                if (inbox.isEmpty()) {
                    step.run();
                    session.flush();
                } else {
                    inbox.add(step);
                }
            } catch (RuntimeException | Error e) {
                session.failed(e);
            } finally {
                draining.set(false);
                if (!inbox.isEmpty()) {
                    scheduleDrain();
                }
            }
        }

        @Override
        void received(ByteBuf buf) {
            if (queuedBytes.addAndGet(buf.readableBytes()) > MAX_QUEUED_BYTES) {
                channel.config().setAutoRead(false); // on the event loop, as SessionBridge.decideReading, which agrees
            }
            inbox.add(buf);
            scheduleDrain();
        }

        @Override
        void readComplete() {
        }

        @Override
        boolean busy() {
            return draining.get();
        }

        @Override
        boolean backlogged() {
            return queuedBytes.get() > MAX_QUEUED_BYTES;
        }

        @Override
        void interrupt() {
            Thread stuck = worker;
            if (stuck != null) {
                stuck.interrupt();
            }
        }

        private void scheduleDrain() {
            if (draining.compareAndSet(false, true)) {
                Thread.ofVirtual().name("postern-", 0).start(this::drain);
            }
        }

        private void drain() {
            worker = Thread.currentThread();
            processings.acquireUninterruptibly();
            try {
                Object event;
                while ((event = inbox.poll()) != null) {
                    if (event instanceof ByteBuf buf) {
                        long left = queuedBytes.addAndGet(-buf.readableBytes());
                        session.consume(buf);
                        // the replies to each read go out as they are made: a drain that never ends (a client that
                        // keeps sending) must not hold them all (and SessionBridge stops reading when they back up)
                        session.flush();
                        // Reading was off (for this backlog or another reason): let the event loop decide again. Reading
                        // off because of a backlog is always seen here, as received() turns it off before queueing.
                        if (left <= MAX_QUEUED_BYTES && !channel.config().isAutoRead() && !session.closed()) {
                            session.reconsiderReading();
                        }
                    } else {
                        ((Runnable) event).run();
                    }
                }
                session.flush();
            } catch (RuntimeException | Error e) {
                session.failed(e);
            } finally {
                processings.release();
                worker = null;
                draining.set(false);
                if (!inbox.isEmpty()) {
                    scheduleDrain();
                }
            }
        }
    }
}
