package dev.postern.netty;

import dev.postern.LogLevel;
import dev.postern.ServerMetrics.Counter;
import dev.postern.protocol.SessionState;
import dev.postern.proxy.ProxyInfo;
import dev.postern.proxy.ProxyProtocolMode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The PROXY gate, only on connections from a source trusted to send a header: nothing is sent until
 * the header arrives ({@link ProxyHeaderReader}). Required: no valid header within the proxy timeout
 * closes the connection, never greeted. Optional: silence for the optional wait, or bytes that cannot
 * begin a header, mean a direct client (SMTP is server-speaks-first, so a direct client sends nothing
 * yet). Once settled it fires one {@link ClientIdentified}, leaves the pipeline and passes the bytes
 * that followed the header on from the pipeline's head (so that an SslHandler inserted on
 * identification reads them first).
 */
final class ProxyGate extends InboundHandler implements Runnable {

    static final String NAME = "proxy-gate";

    private final ServerContext server;
    private final SessionState session;
    private final ProxyProtocolMode mode;
    private ChannelHandlerContext ctx;
    private ByteBuf cumulation = Unpooled.EMPTY_BUFFER;
    /** One timer for both bounds: the optional wait (if any), then the header timeout. */
    private ScheduledFuture<?> timer;
    private long optionalUntil;
    private long timeoutAt;
    private boolean settled;

    ProxyGate(ServerContext server, SessionState session, ProxyProtocolMode mode) {
        this.server = server;
        this.session = session;
        this.mode = mode;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        long now = ctx.executor().ticker().nanoTime();
        timeoutAt = now + server.config.proxyTimeout().toNanos();
        long first = timeoutAt;
        if (mode == ProxyProtocolMode.OPTIONAL) {
            optionalUntil = now + server.config.proxyOptionalWait().toNanos();
            first = Math.min(first, optionalUntil);
        }
        schedule(first - now);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (settled || !(msg instanceof ByteBuf buf)) {
            ReferenceCountUtil.release(msg); // refused: the connection is closing
            return;
        }
        cumulate(buf);
        switch (ProxyHeaderReader.read(cumulation, ctx)) {
            case ProxyHeaderReader.Outcome.NeedMore needMore -> { }
            case ProxyHeaderReader.Outcome.NotProxy notProxy -> {
                if (mode == ProxyProtocolMode.OPTIONAL) {
                    identified(null);
                } else {
                    refuse("no PROXY header (required) from a trusted proxy");
                }
            }
            case ProxyHeaderReader.Outcome.Invalid invalid -> refuse("invalid PROXY header: " + invalid.reason());
            case ProxyHeaderReader.Outcome.Header header -> identified(header.info());
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // the reads so far were the gate's own
    }

    /** The timer (event loop). */
    @Override
    public void run() {
        timer = null;
        if (settled) {
            return;
        }
        long now = ctx.executor().ticker().nanoTime();
        if (now - timeoutAt >= 0) {
            refuse("no complete PROXY header within " + server.config.proxyTimeout().toMillis() + " ms");
        } else if (mode == ProxyProtocolMode.OPTIONAL && now - optionalUntil >= 0 && !cumulation.isReadable()) {
            identified(null);
        } else {
            schedule(timeoutAt - now); // part of a header is in: it gets the full timeout
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        settled = true; // gone before its header: nothing to time out
        cancelTimer();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        settled = true;
        cancelTimer();
        cumulation.release();
        cumulation = Unpooled.EMPTY_BUFFER;
    }

    private void identified(ProxyInfo info) {
        if (info != null) {
            server.metrics.increment(Counter.PROXY_HEADERS_ACCEPTED);
        }
        settled = true;
        cancelTimer();
        ByteBuf rest = cumulation;
        cumulation = Unpooled.EMPTY_BUFFER;
        ChannelPipeline pipeline = ctx.pipeline();
        ctx.fireUserEventTriggered(info == null ? ClientIdentified.DIRECT : new ClientIdentified(info));
        pipeline.remove(this);
        if (rest.isReadable() && ctx.channel().isActive()) {
            pipeline.fireChannelRead(rest);
            pipeline.fireChannelReadComplete();
        } else {
            rest.release();
        }
    }

    private void refuse(String reason) {
        server.metrics.increment(Counter.PROXY_HEADERS_REJECTED);
        settled = true;
        cancelTimer();
        server.log(session, LogLevel.WARN, "proxy_header_refused", reason + "; closing connection from "
                + format(session.socketRemoteAddress()), null);
        ctx.close();
    }

    private void schedule(long delayNanos) {
        timer = ctx.executor().schedule(this, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void cumulate(ByteBuf buf) {
        if (!cumulation.isReadable()) {
            cumulation.release();
            cumulation = buf;
            return;
        }
        ByteBuf both = ctx.alloc().buffer(cumulation.readableBytes() + buf.readableBytes());
        both.writeBytes(cumulation).writeBytes(buf);
        cumulation.release();
        buf.release();
        cumulation = both;
    }

    private static String format(InetSocketAddress a) {
        return a == null ? "?" : a.getAddress().getHostAddress() + ":" + a.getPort();
    }
}
