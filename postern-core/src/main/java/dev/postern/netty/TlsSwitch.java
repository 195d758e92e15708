package dev.postern.netty;

import dev.postern.LogLevel;
import dev.postern.SessionEvent;
import dev.postern.ServerMetrics.Counter;
import dev.postern.protocol.SessionState;
import dev.postern.tls.TlsInfo;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

/**
 * Switches a connection to TLS and reports the handshake. On implicit-TLS listeners it sits in front of
 * the session from the start and inserts the SslHandler when the client is identified (after any PROXY
 * header), so the greeting waits for the handshake. For STARTTLS, {@link #startTls} inserts the
 * SslHandler and this switch in the event-loop step that flushes the 220. Either way the switch
 * counts the handshake, closes the connection if it failed, otherwise tells the session
 * ({@link Established}) and leaves the pipeline.
 */
final class TlsSwitch extends InboundHandler {

    /** The user event for the session: the handshake is done. */
    record Established(TlsInfo info) {
    }

    static final String TLS = "tls";
    static final String NAME = "tls-switch";

    private final ServerContext server;
    private final SessionState session;
    private final boolean implicit;

    TlsSwitch(ServerContext server, SessionState session, boolean implicit) {
        this.server = server;
        this.session = session;
        this.implicit = implicit;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ClientIdentified && implicit) {
            ctx.pipeline().addFirst(TLS, server.tls.newHandler(ctx.alloc(), false));
            ctx.fireUserEventTriggered(evt);
        } else if (evt instanceof SslHandshakeCompletionEvent done) {
            handshakeDone(ctx, done);
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    private void handshakeDone(ChannelHandlerContext ctx, SslHandshakeCompletionEvent done) {
        server.metrics.increment(done.isSuccess() ? Counter.TLS_HANDSHAKES : Counter.TLS_HANDSHAKE_FAILURES);
        if (!done.isSuccess()) {
            if (!session.isQuiet()) {
                server.log(session, SessionEvent.of(LogLevel.INFO, "tls_failed", "TLS handshake failed: " + done.cause())
                        .with("error", String.valueOf(done.cause())));
            }
            ctx.close();
            return;
        }
        TlsInfo info = ServerSslContext.info(ctx.pipeline().get(SslHandler.class), implicit, server.clock.instant());
        ctx.pipeline().remove(this);
        ctx.fireUserEventTriggered(new Established(info));
    }

    /**
     * STARTTLS: the SslHandler goes in first, in start-TLS mode so that the first write (these replies,
     * ending with the 220) still goes out in clear; both happen in one event-loop task, so every byte
     * read afterwards passes through TLS. Whatever was read before is plaintext the protocol discards.
     * Any thread.
     */
    static void startTls(ServerContext server, Channel channel, SessionState session, ByteBuf repliesInClear) {
        Runnable install = () -> {
            if (!channel.isActive()) {
                repliesInClear.release();
                return;
            }
            channel.pipeline().addFirst(TLS, server.tls.newHandler(channel.alloc(), true))
                    .addAfter(TLS, NAME, new TlsSwitch(server, session, false));
            channel.writeAndFlush(repliesInClear, channel.voidPromise());
        };
        if (channel.eventLoop().inEventLoop()) {
            install.run();
        } else {
            channel.eventLoop().execute(install);
        }
    }
}
