package dev.postern.netty;

import dev.postern.Listener;
import dev.postern.LogLevel;
import dev.postern.SessionEvent;
import dev.postern.ServerMetrics.Counter;
import dev.postern.protocol.Replies;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The first handler of every accepted connection (one instance per listener): counts it against
 * {@code maxConnections} and refuses it with a 421 when the server is full; otherwise builds the
 * connection's pipeline ({@link ConnectionPipeline}) and steps aside. The count is given back when the
 * connection closes.
 */
@ChannelHandler.Sharable
final class Admission extends InboundHandler implements ChannelFutureListener {

    private final ServerContext server;
    private final Listener listener;
    private final byte[] refusal;

    Admission(ServerContext server, Listener listener) {
        this.server = server;
        this.listener = listener;
        this.refusal = Replies.tooManyConnections(server.config.hostname()).format(true).getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Channel channel = ctx.channel();
        if (server.connections.incrementAndGet() > server.config.maxConnections()) {
            server.connections.decrementAndGet();
            server.metrics.increment(Counter.CONNECTIONS_REFUSED);
            // No session yet: the client's address is a field of the event.
            InetSocketAddress peer = (InetSocketAddress) channel.remoteAddress();
            SessionEvent event = SessionEvent.of(LogLevel.WARN, "connection_refused", "connection from " + peer
                    + (listener.name() != null ? " on " + listener.name() : "")
                    + " refused: too many connections (" + server.config.maxConnections() + ")")
                    .with("client", peer.getAddress().getHostAddress() + ":" + peer.getPort())
                    .with("limit", server.config.maxConnections());
            server.log(null, listener.name() != null ? event.with("listener", listener.name()) : event);
            channel.writeAndFlush(Unpooled.wrappedBuffer(refusal)).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        server.metrics.increment(Counter.CONNECTIONS_ACCEPTED);
        channel.closeFuture().addListener(this);
        ConnectionPipeline.open(ctx, server, listener);
        ctx.pipeline().remove(this);
    }

    /** An admitted connection closed. */
    @Override
    public void operationComplete(ChannelFuture closed) {
        server.connections.decrementAndGet();
    }

    /** Only a refused connection, closing, still reads here. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
