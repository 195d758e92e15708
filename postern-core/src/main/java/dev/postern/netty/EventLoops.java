package dev.postern.netty;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The event loops a running server uses, and whether its stop ends them.
 * <ul>
 *   <li><b>shared</b> (the embedded default): one group per transport for the whole JVM, of daemon threads
 *       ({@code postern-io-N}), made at the first start and kept for the next server, so that a test that
 *       starts and stops servers pays for threads once, and a stop never waits for threads to end; ended
 *       {@link #SHARED_IDLE_TIME} after the last server on it stopped (the next start makes another);</li>
 *   <li><b>dedicated</b> ({@code ioThreads > 0}, or sharing turned off, as the standalone server does): made
 *       at start, shut down by stop;</li>
 *   <li><b>lent</b> by the application: used as it is, never shut down by Postern.</li>
 * </ul>
 * The native transport's classes are touched only when it is asked for ({@link NativeTransport}): loading
 * its library (extracted from the jar to a temporary file, then linked) is the costliest step of a cold
 * start, and NIO serves a test or a modest embedded server as well.
 */
final class EventLoops {

    /** How the lease ends: the server's own group is shut down, a shared one is handed back, a lent one left alone. */
    enum Ownership { OWN, SHARED, LENT }

    /** One server's loops: the group, its server channel type, and what its stop does with them. */
    record Lease(EventLoopGroup group, Class<? extends ServerChannel> channelType, Ownership ownership, String transport) {

        void release() {
            switch (ownership) {
                case OWN -> group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
                case SHARED -> handBack(this);
                case LENT -> { }
            }
        }
    }

    /**
     * How long shared loops that no server uses are kept, so that a test suite's next server finds them,
     * while an application that stopped its last server (a web application being undeployed, say) gets
     * its threads back.
     */
    static final Duration SHARED_IDLE_TIME = Duration.ofSeconds(30);

    /** A shared group, with the number of running servers on it. Guarded by EventLoops.class. */
    private static final class Shared {
        final Lease lease;
        int servers;
        ScheduledFuture<?> idleShutdown;

        Shared(Lease lease) {
            this.lease = lease;
        }
    }

    private static Shared sharedNio;
    private static Shared sharedNative;
    private static Duration idleTime = SHARED_IDLE_TIME;
    private static boolean exitHookAdded;

    private EventLoops() {
    }

    static Lease lease(int ioThreads, TransportOptions options) {
        if (options.lent() != null) {
            return lent(options.lent());
        }
        boolean nativeIo = options.nativeTransport() && NativeTransport.available();
        if (options.sharedEventLoops() && ioThreads == 0) {
            return shared(nativeIo);
        }
        return create(nativeIo, NettyTransport.eventLoops(ioThreads), new DefaultThreadFactory("postern-io", false), Ownership.OWN);
    }

    private static synchronized Lease shared(boolean nativeIo) {
        Shared shared = nativeIo ? sharedNative : sharedNio;
        if (shared == null || shared.lease.group().isShuttingDown()) {
            shared = new Shared(create(nativeIo, NettyTransport.eventLoops(0), new DefaultThreadFactory("postern-io", true),
                    Ownership.SHARED));
            if (!exitHookAdded) {
                exitHookAdded = true;
                Runtime.getRuntime().addShutdownHook(new Thread(EventLoops::endIdleAtExit, "postern-io-exit"));
            }
            if (nativeIo) {
                sharedNative = shared;
            } else {
                sharedNio = shared;
            }
        }
        shared.servers++;
        if (shared.idleShutdown != null) {
            shared.idleShutdown.cancel(false);
            shared.idleShutdown = null;
        }
        return shared.lease;
    }

    /** A server on shared loops stopped; the last one to stop starts the idle time. */
    private static synchronized void handBack(Lease lease) {
        Shared shared = sharedNio != null && sharedNio.lease == lease ? sharedNio
                : sharedNative != null && sharedNative.lease == lease ? sharedNative : null;
        if (shared == null || --shared.servers > 0) {
            return;
        }
        Shared idle = shared;
        idle.idleShutdown = lease.group().schedule(() -> endIfStillIdle(idle), idleTime.toNanos(), TimeUnit.NANOSECONDS);
    }

    private static synchronized void endIfStillIdle(Shared shared) {
        if (shared.servers > 0 || shared.idleShutdown == null) {
            return; // a server started on it meanwhile
        }
        if (sharedNio == shared) {
            sharedNio = null;
        }
        if (sharedNative == shared) {
            sharedNative = null;
        }
        shared.lease.group().shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }

    /**
     * At JVM exit, ends shared loops that no server uses (a test JVM's, typically). Their threads are daemons, yet
     * each one waiting in {@code epoll_wait} is a thread "in native" that HotSpot's exit waits for, up to 300 ms
     * (VM_Exit::wait_for_threads_in_native_to_block): every test JVM that had started a server paid that at its
     * end. Loops a running server still uses are left to the application's own shutdown.
     */
    static void endIdleAtExit() {
        List<EventLoopGroup> idle = new ArrayList<>();
        synchronized (EventLoops.class) {
            for (Shared shared : new Shared[] {sharedNio, sharedNative}) {
                if (shared != null && shared.servers == 0) {
                    idle.add(shared.lease.group());
                }
            }
            sharedNio = sharedNio != null && sharedNio.servers == 0 ? null : sharedNio;
            sharedNative = sharedNative != null && sharedNative.servers == 0 ? null : sharedNative;
        }
        for (EventLoopGroup group : idle) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
        }
        for (EventLoopGroup group : idle) {
            try {
                group.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** For tests: a shorter idle time; returns the previous one. */
    static synchronized Duration idleTime(Duration d) {
        Duration previous = idleTime;
        idleTime = d;
        return previous;
    }

    private static Lease create(boolean nativeIo, int threads, DefaultThreadFactory threadFactory, Ownership owned) {
        if (nativeIo) {
            return new Lease(NativeTransport.group(threads, threadFactory), NativeTransport.serverChannel(), owned, "epoll");
        }
        return new Lease(new MultiThreadIoEventLoopGroup(threads, threadFactory, NioIoHandler.newFactory()),
                NioServerSocketChannel.class, owned, "nio");
    }

    private static Lease lent(ScheduledExecutorService lent) {
        if (lent instanceof IoEventLoopGroup group) {
            if (group.isShuttingDown()) {
                throw new IllegalStateException("the event loop group lent to the server is shut down");
            }
            if (group.isIoType(NioIoHandler.class)) {
                return new Lease(group, NioServerSocketChannel.class, Ownership.LENT, "nio, lent");
            }
            if (NativeTransport.isEpoll(group)) {
                return new Lease(group, NativeTransport.serverChannel(), Ownership.LENT, "epoll, lent");
            }
        }
        throw new IllegalArgumentException("the event loops lent to the server must be a Netty NIO or epoll "
                + "MultiThreadIoEventLoopGroup, got " + lent.getClass().getName());
    }
}
