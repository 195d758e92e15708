package dev.postern.netty;

import dev.postern.LogLevel;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;

import java.util.concurrent.TimeUnit;

/**
 * A listener's server channel handler: gives each accepted connection its option and its first handler
 * ({@link Admission}) and registers it on the event loops. This is what Netty's {@code ServerBootstrap}
 * adds to a server channel, written out here because ServerBootstrap's two handlers (a channel
 * initialiser and its acceptor) are annotated adapters, and reading their annotations is the costliest
 * single step of a cold start that Postern can leave out ({@link InboundHandler}).
 */
final class Acceptor extends InboundHandler implements ChannelFutureListener {

    /** After an accept failure (typically too many open files), accepting pauses this long, as ServerBootstrap does. */
    static final long PAUSE_AFTER_FAILURE_MILLIS = 1000;

    private final ServerContext server;
    private final EventLoopGroup loops;
    private final Admission admission;

    Acceptor(ServerContext server, EventLoopGroup loops, Admission admission) {
        this.server = server;
        this.loops = loops;
        this.admission = admission;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Channel child = (Channel) msg;
        try {
            // A client that sends its commands and then shuts down its side (a script piping into a socket)
            // still gets every reply: SessionBridge closes once they are out (a flag, no system call). No
            // TCP_NODELAY: Netty's socket configs set it already.
            child.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
            child.pipeline().addLast(admission);
            loops.register(child).addListener(this); // not a lambda: the first one of a JVM spins classes
        } catch (RuntimeException e) {
            refuse(child, e);
        }
    }

    /** An accepted connection's registration on a loop ended. */
    @Override
    public void operationComplete(ChannelFuture registration) {
        if (!registration.isSuccess()) {
            refuse(registration.channel(), registration.cause());
        }
    }

    private void refuse(Channel child, Throwable cause) {
        child.unsafe().closeForcibly();
        server.log(null, LogLevel.WARN, "server", "cannot register an accepted connection " + child, cause);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ChannelConfig config = ctx.channel().config();
        if (config.isAutoRead()) {
            config.setAutoRead(false);
            ctx.channel().eventLoop().schedule(() -> config.setAutoRead(true), PAUSE_AFTER_FAILURE_MILLIS, TimeUnit.MILLISECONDS);
        }
        server.log(null, LogLevel.WARN, "server", "accepting on " + ctx.channel().localAddress() + " failed; paused for "
                + PAUSE_AFTER_FAILURE_MILLIS + " ms", cause);
    }
}
