package dev.postern.netty;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;

import java.util.concurrent.ThreadFactory;

/**
 * Everything that names Netty's epoll classes, so that a server on NIO never loads them (nor the native
 * library their static initialisers load).
 */
final class NativeTransport {

    private NativeTransport() {
    }

    static boolean available() {
        return Epoll.isAvailable();
    }

    static EventLoopGroup group(int threads, ThreadFactory threadFactory) {
        return new MultiThreadIoEventLoopGroup(threads, threadFactory, EpollIoHandler.newFactory());
    }

    static Class<? extends ServerChannel> serverChannel() {
        return EpollServerSocketChannel.class;
    }

    /** Only asked of a group that is not NIO, so a lent NIO group never loads the epoll classes. */
    static boolean isEpoll(IoEventLoopGroup group) {
        try {
            return group.isIoType(EpollIoHandler.class);
        } catch (LinkageError e) {
            return false; // netty-transport-classes-epoll absent: the group cannot be epoll's
        }
    }
}
