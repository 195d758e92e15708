package dev.postern.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CountDownLatch;

/**
 * The JVM's stop (SIGTERM, Ctrl-C) of {@code postern serve}, taken from the command's first step on, not only once
 * the server listens: a SIGTERM during start-up is an orderly stop with exit 0 too, never the JVM's 143.
 *
 * <p>The shutdown hook is registered before the settings are read. What it does depends on how far the start got:
 * <ul>
 *   <li>still reading the settings (a config or users file, possibly a slow pipe): nothing is open yet, so it
 *       stops at once;</li>
 *   <li>opening the queue, the Maildir and the listeners: it asks the start to give up at its next step and waits
 *       until the start has closed what it opened (or finished: then it stops the running server);</li>
 *   <li>running: drain, stop, as before.</li>
 * </ul>
 * The one window left with exit 143 is the JVM's own start, before {@code serve}'s code runs at all.
 */
final class ServeLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(StandaloneServer.class);

    private enum State { PREPARING, STARTING, RUNNING, START_FAILED, STOPPING }

    /** What the lifecycle needs of the JVM: {@link #RUNTIME}, or a recording stand-in in unit tests. */
    interface Jvm {
        void addShutdownHook(Thread hook);

        void removeShutdownHook(Thread hook);

        /** Ends the JVM with {@code status}, without running the (other) shutdown hooks again. */
        void halt(int status);

        /** Blocks until {@link #halt} ends the JVM. */
        void awaitHalt() throws InterruptedException;
    }

    static final Jvm RUNTIME = new Jvm() {
        @Override
        public void addShutdownHook(Thread hook) {
            Runtime.getRuntime().addShutdownHook(hook);
        }

        @Override
        public void removeShutdownHook(Thread hook) {
            Runtime.getRuntime().removeShutdownHook(hook);
        }

        @Override
        public void halt(int status) {
            Runtime.getRuntime().halt(status);
        }

        @Override
        public void awaitHalt() throws InterruptedException {
            new CountDownLatch(1).await();
        }
    };

    private final Jvm jvm;
    private final Object lock = new Object();
    private final Thread hook = new Thread(this::shutdown, "postern-shutdown");
    private State state = State.PREPARING;
    /** Set with STARTING. */
    private StandaloneServer server;
    /** Whether the start has ended (listening, failed or given up), once a stop was asked during it. */
    private boolean settled;
    private boolean running;
    private Throwable failure;

    private ServeLifecycle(Jvm jvm) {
        this.jvm = jvm;
    }

    /** Registers the shutdown hook; call it before anything of {@code serve} is read or opened. */
    static ServeLifecycle install() {
        return install(RUNTIME);
    }

    static ServeLifecycle install(Jvm jvm) {
        ServeLifecycle lifecycle = new ServeLifecycle(jvm);
        jvm.addShutdownHook(lifecycle.hook);
        return lifecycle;
    }

    /**
     * The settings are read, {@code starting} is about to open the queue, the Maildir and the listeners.
     * Returns false when a stop came first: then nothing must be opened (the hook is ending the JVM).
     */
    boolean starting(StandaloneServer starting) {
        synchronized (lock) {
            if (state != State.PREPARING) {
                return false;
            }
            state = State.STARTING;
            server = starting;
            return true;
        }
    }

    /** The server listens: from now on a stop drains and stops it. */
    void started() {
        synchronized (lock) {
            running = true;
            if (state == State.STOPPING) {
                settled = true;
                lock.notifyAll();
            } else {
                state = State.RUNNING;
            }
        }
    }

    /**
     * The start failed (or gave up for a stop) after closing what it had opened. Without a stop in progress, the hook
     * is removed, so that the command's exit status (1, 2) stands, and false is returned: the caller reports the
     * failure. With a stop in progress, the hook ends the JVM: true, and the caller must report nothing.
     */
    boolean failed(Throwable e) {
        synchronized (lock) {
            if (state == State.STOPPING) {
                failure = e;
                settled = true;
                lock.notifyAll();
                return true;
            }
            state = State.START_FAILED;
        }
        try {
            jvm.removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is already exiting: the hook sees START_FAILED and lets it
        }
        return false;
    }

    /** Blocks for ever: the shutdown hook ends the JVM (with halt) once it has stopped what was started. */
    void awaitHalt() throws InterruptedException {
        jvm.awaitHalt();
    }

    private void shutdown() {
        StandaloneServer s;
        boolean wasRunning;
        synchronized (lock) {
            State was = state;
            if (was == State.START_FAILED) {
                return; // System.exit of a failed start: its status stands
            }
            state = State.STOPPING;
            s = server;
            if (was == State.PREPARING) {
                LOG.atInfo().addKeyValue("event", "stopped").log("stopped before start-up: nothing was opened");
                jvm.halt(0);
                return;
            }
            if (was == State.STARTING) {
                s.cancelStart();
                LOG.atInfo().addKeyValue("event", "stopping").log("stopping during start-up: closing what was opened");
                while (!settled) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
            wasRunning = running;
        }
        if (wasRunning) {
            s.stopFromSignal();
        } else if (failure != null && !(failure instanceof StandaloneServer.StartCancelled)) {
            LOG.atError().addKeyValue("event", "start_failed").log("start-up failed while stopping: {}", failure.toString());
            jvm.halt(1);
            return;
        }
        LOG.atInfo().addKeyValue("event", "stopped").log("stopped");
        // An orderly stop is a success: exit 0, where the JVM would report 143 for SIGTERM and a
        // service manager would call the stop a failure. Nothing else runs in this JVM to be cut short.
        jvm.halt(0);
    }
}
