package dev.postern.relay.client.netty;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * The channel classes that fit an event loop group: a group shared with the server may run epoll (as
 * postern-core's does where available); a group of the relay's own runs NIO.
 *
 * @param socket   TCP connections
 * @param datagram DNS queries
 */
public record Transports(Class<? extends SocketChannel> socket, Class<? extends DatagramChannel> datagram) {

    /**
     * @param group the loops the channels will be registered with
     * @return the classes for it
     */
    public static Transports of(EventLoopGroup group) {
        if (group instanceof IoEventLoopGroup io && io.isIoType(EpollIoHandler.class)) {
            return new Transports(EpollSocketChannel.class, EpollDatagramChannel.class);
        }
        return new Transports(NioSocketChannel.class, NioDatagramChannel.class);
    }
}
