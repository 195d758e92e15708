package dev.postern.netty;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The event loops a running server uses, and whether its stop ends them.
 * <ul>
 *   <li><b>shared</b> (the embedded default): one group per transport for the whole JVM, of daemon threads
 *       ({@code postern-io-N}), made at the first start and kept for the next server, so that a test that
 *       starts and stops servers pays for threads once, and a stop never waits for threads to end;</li>
 *   <li><b>dedicated</b> ({@code ioThreads > 0}, or sharing turned off, as the standalone server does): made
 *       at start, shut down by stop;</li>
 *   <li><b>lent</b> by the application: used as it is, never shut down by Postern.</li>
 * </ul>
 * The native transport's classes are touched only when it is asked for ({@link NativeTransport}): loading
 * its library (extracted from the jar to a temporary file, then linked) is the costliest step of a cold
 * start, and NIO serves a test or a modest embedded server as well.
 */
final class EventLoops {

    /** One server's loops: the group, its server channel type, and whether stop shuts the group down. */
    record Lease(EventLoopGroup group, Class<? extends ServerChannel> channelType, boolean owned, String transport) {

        void release() {
            if (owned) {
                group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            }
        }
    }

    private static Lease sharedNio;
    private static Lease sharedNative;

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
        return create(nativeIo, NettyTransport.eventLoops(ioThreads), new DefaultThreadFactory("postern-io", false), true);
    }

    private static synchronized Lease shared(boolean nativeIo) {
        Lease lease = nativeIo ? sharedNative : sharedNio;
        if (lease == null || lease.group().isShuttingDown()) {
            lease = create(nativeIo, NettyTransport.eventLoops(0), new DefaultThreadFactory("postern-io", true), false);
            if (nativeIo) {
                sharedNative = lease;
            } else {
                sharedNio = lease;
            }
        }
        return lease;
    }

    private static Lease create(boolean nativeIo, int threads, DefaultThreadFactory threadFactory, boolean owned) {
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
                return new Lease(group, NioServerSocketChannel.class, false, "nio, lent");
            }
            if (NativeTransport.isEpoll(group)) {
                return new Lease(group, NativeTransport.serverChannel(), false, "epoll, lent");
            }
        }
        throw new IllegalArgumentException("the event loops lent to the server must be a Netty NIO or epoll "
                + "MultiThreadIoEventLoopGroup, got " + lent.getClass().getName());
    }
}
