package dev.postern.netty;

import dev.postern.Listener;
import dev.postern.LogLevel;
import dev.postern.ServerMetrics.Counter;
import dev.postern.SmtpReply;
import dev.postern.proxy.ProxyInfo;
import dev.postern.proxy.ProxyProtocolMode;
import dev.postern.proxy.internal.ProxyPolicy;
import dev.postern.protocol.Replies;
import dev.postern.protocol.SessionState;
import dev.postern.protocol.SmtpProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One SMTP connection on the Netty side: feeds received bytes to the {@link SmtpProtocol}, writes its
 * replies once per batch of input, and enforces the time bounds.
 *
 * <p>Where the protocol runs: with inline hooks, on the event loop, directly. Otherwise every input
 * event goes through a per-session queue drained by one virtual thread at a time (so hooks run in
 * order and may block), at most {@code maxProcessings} drains at once server-wide; while the queue
 * holds more than {@link #MAX_QUEUED_BYTES}, the channel stops reading (back-pressure).
 */
final class SmtpSessionHandler extends ChannelInboundHandlerAdapter {

    static final int MAX_QUEUED_BYTES = 256 * 1024;
    static final long FORCE_CLOSE_AFTER_MILLIS = 2000;
    /** Set on each server channel: the listener it serves, for its PROXY settings. */
    static final AttributeKey<Listener> LISTENER = AttributeKey.valueOf("postern.listener");

    private final ServerContext server;
    private Channel channel;
    private SmtpProtocol protocol;
    private ByteBuf cumulation = Unpooled.EMPTY_BUFFER;
    private ByteBuf replies;

    private final Queue<Object> inbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private volatile Thread drainThread;
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile long lastActivity;
    private ScheduledFuture<?> idleCheck;
    private ScheduledFuture<?> deadline;
    private boolean admitted;
    /** Non-null while waiting for a trusted proxy's PROXY header (event loop only). */
    private ProxyProtocolMode awaitingProxyHeader;
    private ScheduledFuture<?> proxyTimer;
    private final long shortestTimeout;
    /** This connection's listener speaks TLS from the first byte (after any PROXY header). */
    private boolean implicitTls;
    /** The real client counted against maxConnectionsPerClient (released at disconnect), or null. */
    private InetAddress countedClient;
    /** The protocol accepted STARTTLS: the next flush sends its 220 in clear, then TLS begins. */
    private boolean startTlsRequested;

    SmtpSessionHandler(ServerContext server) {
        this.server = server;
        this.shortestTimeout = Math.min(server.config.commandTimeout().toNanos(), server.config.dataTimeout().toNanos());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        if (server.connections.incrementAndGet() > server.config.maxConnections()) {
            server.connections.decrementAndGet();
            server.metrics.increment(Counter.CONNECTIONS_REFUSED);
            server.handler.onLogEvent(null, LogLevel.WARN, "connection from " + channel.remoteAddress()
                    + " refused: too many connections (" + server.config.maxConnections() + ")", null);
            byte[] refusal = Replies.tooManyConnections(server.config.hostname()).format(true)
                    .getBytes(StandardCharsets.US_ASCII);
            channel.writeAndFlush(Unpooled.wrappedBuffer(refusal)).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        admitted = true;
        server.metrics.increment(Counter.CONNECTIONS_ACCEPTED);
        server.sessions.add(this);
        InetSocketAddress local = (InetSocketAddress) channel.localAddress();
        InetSocketAddress remote = (InetSocketAddress) channel.remoteAddress();
        SessionState session = new SessionState(server.ids.next(), local, remote, server.clock.instant(),
                server.config.greeting(), server.config.hostname());
        protocol = new SmtpProtocol(server.config, server.handler, session, server.clock, server.metrics,
                dev.postern.message.MessageSpool::open, new SmtpProtocol.ReplySink() {
            @Override
            public void write(byte[] wire) {
                reply(wire);
            }

            @Override
            public void startTls() {
                startTlsRequested = true;
            }
        });
        lastActivity = System.nanoTime();
        Duration life = server.config.sessionDeadline();
        deadline = channel.eventLoop().schedule(() -> timeOut("session deadline"), life.toNanos(), TimeUnit.NANOSECONDS);
        scheduleIdleCheck(shortestTimeout);
        Listener listener = channel.parent() == null ? null : channel.parent().attr(LISTENER).get();
        implicitTls = listener != null && listener.implicitTls();
        ProxyProtocolMode headerMode = ProxyPolicy.expectedHeader(listener, remote.getAddress());
        if (headerMode != null) {
            awaitProxyHeader(headerMode);
        } else if (implicitTls) {
            channel.pipeline().addFirst("tls", server.tls.newHandler(channel.alloc(), false)); // greeting after the handshake
        } else {
            startSession();
        }
    }

    /**
     * A trusted proxy's connection: nothing is sent until its header arrives. Required: no valid header
     * within the proxy timeout closes the connection, never greeted. Optional: silence for the optional
     * wait means a direct client (SMTP is server-speaks-first, so a direct client sends nothing yet).
     */
    private void awaitProxyHeader(ProxyProtocolMode mode) {
        awaitingProxyHeader = mode;
        long timeout = server.config.proxyTimeout().toNanos();
        proxyTimer = channel.eventLoop().schedule(() -> {
            if (awaitingProxyHeader != null) {
                proxyRefused("no complete PROXY header within " + server.config.proxyTimeout().toMillis() + " ms");
            }
        }, timeout, TimeUnit.NANOSECONDS);
        if (mode == ProxyProtocolMode.OPTIONAL) {
            channel.eventLoop().schedule(() -> {
                if (awaitingProxyHeader != null && !cumulation.isReadable()) {
                    proxyHeaderDone(null);
                }
            }, server.config.proxyOptionalWait().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** Bytes from a trusted proxy before its header is complete (event loop). */
    private void readProxyHeader(ChannelHandlerContext ctx, ByteBuf buf) {
        cumulate(buf);
        ProxyHeaderReader.Outcome outcome = ProxyHeaderReader.read(cumulation, ctx);
        switch (outcome) {
            case ProxyHeaderReader.Outcome.NeedMore needMore -> { }
            case ProxyHeaderReader.Outcome.NotProxy notProxy -> {
                if (awaitingProxyHeader == ProxyProtocolMode.OPTIONAL) {
                    proxyHeaderDone(null);
                } else {
                    proxyRefused("no PROXY header (required) from a trusted proxy");
                }
            }
            case ProxyHeaderReader.Outcome.Invalid invalid -> proxyRefused("invalid PROXY header: " + invalid.reason());
            case ProxyHeaderReader.Outcome.Header header -> proxyHeaderDone(header.info());
        }
    }

    private void proxyRefused(String reason) {
        server.metrics.increment(Counter.PROXY_HEADERS_REJECTED);
        awaitingProxyHeader = null;
        proxyTimer.cancel(false);
        server.handler.onLogEvent(protocol.session(), LogLevel.WARN, reason + "; closing connection from "
                + format(protocol.session().socketRemoteAddress()), null);
        closing.set(true);
        channel.close();
    }

    /** The header (or, in optional mode, its absence) is settled: the proxy hook, then SMTP. */
    private void proxyHeaderDone(ProxyInfo info) {
        if (info != null) {
            server.metrics.increment(Counter.PROXY_HEADERS_ACCEPTED);
        }
        awaitingProxyHeader = null;
        proxyTimer.cancel(false);
        if (implicitTls) {
            // TLS starts right behind the header; the handshake runs while onProxy does, and the
            // greeting waits for both (see userEventTriggered).
            submit(() -> acceptProxy(info));
            channel.pipeline().addFirst("tls", server.tls.newHandler(channel.alloc(), false));
            ByteBuf rest = cumulation;
            cumulation = Unpooled.EMPTY_BUFFER;
            if (rest.isReadable()) {
                channel.pipeline().fireChannelRead(rest); // the ClientHello, from the pipeline's head
                channel.pipeline().fireChannelReadComplete();
            } else {
                rest.release();
            }
            return;
        }
        submit(() -> {
            if (!acceptProxy(info)) {
                return;
            }
            startSession();
            // queued after the greeting that startSession submitted, so bytes behind the header come after it
            submit(() -> {
                if (cumulation.isReadable() && !protocol.isClosed()) {
                    process();
                }
            });
        });
    }

    /** Runs onProxy through the protocol; false when the hook refused the connection. */
    private boolean acceptProxy(ProxyInfo info) {
        return info == null || protocol.proxyHeader(info);
    }

    /** The connection is ready for SMTP: reverse DNS if wanted, greeting delay, then the greeting. */
    private void startSession() {
        SessionState session = protocol.session();
        if (server.config.maxConnectionsPerClient() > 0) {
            InetAddress client = session.remoteAddress().getAddress();
            if (!server.admitClient(client)) {
                server.metrics.increment(Counter.CONNECTIONS_REFUSED);
                server.handler.onLogEvent(session, LogLevel.WARN, "connection from " + client.getHostAddress()
                        + " refused: too many connections from this client (" + server.config.maxConnectionsPerClient() + ")", null);
                submit(() -> protocol.abort(Replies.tooManyConnectionsFromClient(server.config.hostname())));
                return;
            }
            countedClient = client;
        }
        Runnable greet = () -> {
            long delay = server.config.greetingDelay().toNanos();
            if (delay > 0) {
                channel.eventLoop().schedule(() -> submit(protocol::connect), delay, TimeUnit.NANOSECONDS);
            } else {
                submit(protocol::connect);
            }
        };
        if (server.config.reverseDnsLookup()) {
            Thread.ofVirtual().start(() -> {
                protocol.clientHostName(reverseLookup(session.remoteAddress().getAddress()));
                channel.eventLoop().execute(greet);
            });
        } else {
            greet.run();
        }
    }

    private String reverseLookup(InetAddress address) {
        CompletableFuture<String> lookup = CompletableFuture.supplyAsync(address::getCanonicalHostName,
                command -> Thread.ofVirtual().start(command));
        try {
            String name = lookup.get(server.config.reverseDnsTimeout().toMillis(), TimeUnit.MILLISECONDS);
            return name.equals(address.getHostAddress()) ? null : name;
        } catch (Exception e) {
            lookup.cancel(true);
            return null;
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf) || protocol == null) {
            ReferenceCountUtil.release(msg);
            return;
        }
        lastActivity = System.nanoTime();
        if (awaitingProxyHeader != null) {
            readProxyHeader(ctx, buf);
            return;
        }
        if (server.inlineHooks) {
            cumulate(buf);
            process();
        } else {
            if (queuedBytes.addAndGet(buf.readableBytes()) > MAX_QUEUED_BYTES) {
                channel.config().setAutoRead(false);
            }
            inbox.add(buf);
            scheduleDrain();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (server.inlineHooks) {
            flushReplies();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (!(evt instanceof SslHandshakeCompletionEvent done) || protocol == null) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        server.metrics.increment(done.isSuccess() ? Counter.TLS_HANDSHAKES : Counter.TLS_HANDSHAKE_FAILURES);
        if (!done.isSuccess()) {
            if (!protocol.session().isQuiet()) {
                server.handler.onLogEvent(protocol.session(), LogLevel.INFO, "TLS handshake failed: " + done.cause(), null);
            }
            ctx.close();
            return;
        }
        var info = ServerSslContext.info(ctx.pipeline().get(SslHandler.class), implicitTls);
        submit(() -> {
            protocol.tlsEstablished(info);
            if (implicitTls) {
                startSession(); // the greeting, now over TLS
            }
        });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!admitted) {
            return;
        }
        server.connections.decrementAndGet();
        if (idleCheck != null) {
            idleCheck.cancel(false);
        }
        if (deadline != null) {
            deadline.cancel(false);
        }
        if (proxyTimer != null) {
            proxyTimer.cancel(false);
        }
        awaitingProxyHeader = null;
        closing.set(true); // closed already: nothing more to write (and the event loop may be going away)
        submit(() -> {
            if (countedClient != null) {
                server.releaseClient(countedClient);
                countedClient = null;
            }
            protocol.disconnect();
            cumulation.release();
            cumulation = Unpooled.EMPTY_BUFFER;
            if (replies != null) {
                replies.release();
                replies = null;
            }
            if (!protocol.session().isQuiet()) {
                server.handler.onLogEvent(protocol.session(), LogLevel.INFO, "disconnect", null);
            }
            server.sessions.remove(this);
        });
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (protocol != null) {
            server.handler.onLogEvent(protocol.session(), LogLevel.DEBUG, "connection error: " + cause, null);
        }
        ctx.close();
    }

    /** Graceful stop: 421 to the client, then close. */
    void shutdown(SmtpReply reply) {
        submit(() -> protocol.abort(reply));
        forceCloseLater();
    }

    Channel channel() {
        return channel;
    }

    // ------------------------------------------------------------ running the protocol

    /** Runs a protocol step in order with all others: inline on the event loop, or via the drain. */
    private void submit(Runnable step) {
        if (server.inlineHooks) {
            if (channel.eventLoop().inEventLoop()) {
                step.run();
                flushReplies();
            } else {
                channel.eventLoop().execute(() -> {
                    step.run();
                    flushReplies();
                });
            }
        } else {
            inbox.add(step);
            scheduleDrain();
        }
    }

    private void scheduleDrain() {
        if (draining.compareAndSet(false, true)) {
            Thread.ofVirtual().name("postern-", 0).start(this::drain);
        }
    }

    private void drain() {
        drainThread = Thread.currentThread();
        server.processings.acquireUninterruptibly();
        try {
            Object event;
            while ((event = inbox.poll()) != null) {
                if (event instanceof ByteBuf buf) {
                    long left = queuedBytes.addAndGet(-buf.readableBytes());
                    if (protocol.isClosed()) {
                        buf.release();
                        continue;
                    }
                    cumulate(buf);
                    process();
                    if (left <= MAX_QUEUED_BYTES && !channel.config().isAutoRead() && !protocol.isClosed()) {
                        channel.config().setAutoRead(true);
                    }
                } else {
                    ((Runnable) event).run();
                }
            }
            flushReplies();
        } catch (RuntimeException | Error e) {
            server.handler.onLogEvent(protocol.session(), LogLevel.ERROR, "session failed", e);
            channel.close();
        } finally {
            server.processings.release();
            drainThread = null;
            draining.set(false);
            if (!inbox.isEmpty()) {
                scheduleDrain();
            }
        }
    }

    private void cumulate(ByteBuf buf) {
        if (!cumulation.isReadable()) {
            cumulation.release();
            cumulation = buf;
            return;
        }
        if (cumulation.writableBytes() < buf.readableBytes() || cumulation.refCnt() > 1 || cumulation.isReadOnly()) {
            ByteBuf bigger = channel.alloc().buffer(cumulation.readableBytes() + buf.readableBytes());
            bigger.writeBytes(cumulation);
            cumulation.release();
            cumulation = bigger;
        }
        cumulation.writeBytes(buf);
        buf.release();
    }

    private void process() {
        try {
            protocol.receive(cumulation);
        } finally {
            cumulation.discardSomeReadBytes();
        }
        if (protocol.isClosed()) {
            flushReplies();
        }
    }

    private void reply(byte[] wire) {
        if (replies == null) {
            replies = channel.alloc().buffer(Math.max(256, wire.length));
        }
        replies.writeBytes(wire);
    }

    private void flushReplies() {
        ByteBuf out = replies;
        replies = null;
        if (channel.eventLoop().isShuttingDown()) {
            // stop() without grace: the event loop is going away and closes the channel itself; a write
            // now would only make Netty log a rejected listener notification.
            if (out != null) {
                out.release();
            }
            return;
        }
        boolean close = protocol != null && protocol.isClosed();
        if (startTlsRequested && !close && out != null) {
            startTlsRequested = false;
            startTls(out);
            return;
        }
        if (out != null) {
            lastActivity = System.nanoTime(); // the client's turn starts now
            if (close) {
                closeAfter(out);
            } else {
                channel.writeAndFlush(out, channel.voidPromise());
            }
        } else if (close) {
            closeAfter(Unpooled.EMPTY_BUFFER);
        }
    }

    /**
     * STARTTLS: the SslHandler goes in first, in start-TLS mode so that the first write (these replies,
     * ending with the 220) still goes out in clear; both happen in one event-loop task, so every byte
     * read afterwards passes through TLS. Whatever was read before is plaintext the protocol discards.
     */
    private void startTls(ByteBuf repliesInClear) {
        Runnable install = () -> {
            if (!channel.isActive()) {
                repliesInClear.release();
                return;
            }
            lastActivity = System.nanoTime();
            channel.pipeline().addFirst("tls", server.tls.newHandler(channel.alloc(), true));
            channel.writeAndFlush(repliesInClear, channel.voidPromise());
        };
        if (channel.eventLoop().inEventLoop()) {
            install.run();
        } else {
            channel.eventLoop().execute(install);
        }
    }

    private void closeAfter(ByteBuf last) {
        if (closing.compareAndSet(false, true)) {
            channel.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE);
        } else {
            last.release();
        }
    }

    // ------------------------------------------------------------ time bounds

    private void scheduleIdleCheck(long delayNanos) {
        idleCheck = channel.eventLoop().schedule(this::checkIdle, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void checkIdle() {
        if (!channel.isActive()) {
            return;
        }
        long timeout = (protocol.mode() == SmtpProtocol.Mode.COMMAND
                ? server.config.commandTimeout() : server.config.dataTimeout()).toNanos();
        if (draining.get()) {
            scheduleIdleCheck(timeout); // the server's turn: the client is waiting for us
            return;
        }
        long idle = System.nanoTime() - lastActivity;
        if (idle >= timeout) {
            timeOut(protocol.mode() == SmtpProtocol.Mode.COMMAND ? "command timeout" : "data timeout");
        } else {
            // the mode may change before then, so look again no later than the shorter timeout
            scheduleIdleCheck(Math.min(timeout - idle, shortestTimeout));
        }
    }

    private void timeOut(String what) {
        server.metrics.increment(Counter.TIMEOUTS);
        server.handler.onLogEvent(protocol.session(), LogLevel.INFO, what + " exceeded; closing", null);
        submit(() -> protocol.abort(Replies.timeout(server.config.hostname())));
        forceCloseLater();
    }

    /**
     * The polite 421 waits its turn behind any hook still running; a hook that never returns must not
     * keep the connection (or the deadline) hostage, so the channel is closed regardless shortly after,
     * and the stuck hook's thread is interrupted.
     */
    void forceCloseLater() {
        channel.eventLoop().schedule(() -> {
            if (channel.isActive()) {
                Thread worker = drainThread;
                if (worker != null) {
                    worker.interrupt();
                }
                channel.close();
            }
        }, FORCE_CLOSE_AFTER_MILLIS, TimeUnit.MILLISECONDS);
    }

    private static String format(InetSocketAddress a) {
        return a == null ? "?" : a.getAddress().getHostAddress() + ":" + a.getPort();
    }
}
