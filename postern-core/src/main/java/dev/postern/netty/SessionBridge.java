package dev.postern.netty;

import dev.postern.Listener;
import dev.postern.LogLevel;
import dev.postern.SmtpReply;
import dev.postern.proxy.ProxyInfo;
import dev.postern.message.MessageSpool;
import dev.postern.protocol.SessionState;
import dev.postern.protocol.SmtpProtocol;
import dev.postern.tls.TlsInfo;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The last handler of a connection, between Netty and the {@link SmtpProtocol}: received bytes go to
 * the protocol (through the session's {@link HookRunner}), its replies go out once per batch of input,
 * and the connection closes after the last reply. The session starts on {@link ClientIdentified} (or,
 * on implicit-TLS listeners, on {@link TlsSwitch.Established}) and is cleaned up at channelInactive.
 */
final class SessionBridge extends InboundHandler
        implements SmtpProtocol.ReplySink, SmtpProtocol.MessageEvents, HookRunner.Session {

    private final ServerContext server;
    private final Channel channel;
    private final Listener listener;
    private final boolean implicitTls;
    /** System.nanoTime() at the accept, for the session's duration. */
    private final long acceptedAt = System.nanoTime();
    /** System.nanoTime() when the current message's content ended, for the time to its reply. */
    private long contentEndedAt;
    private final SmtpProtocol protocol;
    private final HookRunner runner;
    private final SessionTimer timer;
    private ByteBuf cumulation = Unpooled.EMPTY_BUFFER;
    private ByteBuf replies;
    /** The protocol accepted STARTTLS: the next flush sends its 220 in clear, then TLS begins. */
    private boolean startTlsRequested;
    /** Nothing more may be written: the last reply is on its way, or the channel is closed. */
    private volatile boolean closing;
    /** The client shut down its side of the connection: close once the replies to what it sent are out. */
    private boolean inputShutdown;
    /** The real client counted against maxConnectionsPerClient (released at disconnect), or null. */
    private InetAddress countedClient;
    /** A pause the protocol asked for in the step running now, started at its flush; null when none. */
    private Duration pauseRequested;
    /** Replies held back while the protocol is paused, sent when the pause ends; null when none. */
    private ByteBuf held;
    /** A pause is running: reading stays off until it ends (written by the runner, read on the event loop). */
    private volatile boolean pausing;

    SessionBridge(ServerContext server, Channel channel, Listener listener) {
        this.server = server;
        this.channel = channel;
        this.listener = listener;
        this.implicitTls = listener.implicitTls();
        SessionState session = new SessionState(server.ids.next(), (InetSocketAddress) channel.localAddress(),
                (InetSocketAddress) channel.remoteAddress(), server.clock.instant(), server.config.greeting(),
                server.config.hostname(), listener, server.config.hostname());
        this.protocol = newProtocol(session);
        this.runner = HookRunner.of(server, channel, this);
        this.timer = new SessionTimer(server, channel, protocol, runner);
    }

    /** The one place a session's protocol is built. */
    private SmtpProtocol newProtocol(SessionState session) {
        return new SmtpProtocol(server.config, server.handlerFor(listener), session, server.clock, server.metrics,
                this, server.authThrottle, MessageSpool::open, this);
    }

    SmtpProtocol protocol() {
        return protocol;
    }

    SessionState session() {
        return protocol.session();
    }

    HookRunner runner() {
        return runner;
    }

    Channel channel() {
        return channel;
    }

    void countedClient(InetAddress client) {
        countedClient = client;
    }

    // ------------------------------------------------------------ connection events (event loop)

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        server.sessions.add(this);
        timer.start();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ClientIdentified identified) {
            ProxyInfo proxy = identified.proxy();
            if (proxy != null || !implicitTls) { // on implicit TLS, the session starts after the handshake
                Runnable start = () -> {
                    if ((proxy == null || protocol.proxyHeader(proxy)) && !implicitTls) {
                        SessionStart.run(server, this);
                    }
                };
                if (server.inlineGreeting) {
                    runner.submitNonBlocking(start);
                } else {
                    runner.submit(start);
                }
            }
        } else if (evt instanceof TlsSwitch.Established established) {
            TlsInfo info = established.info();
            runner.submit(() -> {
                protocol.tlsEstablished(info);
                if (implicitTls) {
                    SessionStart.run(server, this); // the greeting, now over TLS
                }
            });
        } else if (evt instanceof ChannelInputShutdownEvent) {
            // The client sent its last byte: answer what it sent (after any step still queued), then close.
            runner.submit(() -> inputShutdown = true);
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        timer.touch();
        runner.received(buf);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        runner.readComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        timer.cancel();
        closing = true; // closed already: nothing more to write (and the event loop may be going away)
        runner.submit(() -> {
            if (countedClient != null) {
                server.clients.release(countedClient);
                countedClient = null;
            }
            protocol.disconnect();
            cumulation.release();
            cumulation = Unpooled.EMPTY_BUFFER;
            if (replies != null) {
                replies.release();
                replies = null;
            }
            if (held != null) {
                held.release();
                held = null;
            }
            if (!protocol.session().isQuiet()) {
                server.log(protocol.session(), LogLevel.INFO, "disconnect", "disconnect", null);
            }
            if (!server.observers.isEmpty()) {
                server.observers.sessionClosed(listener, protocol.session(), Duration.ofNanos(System.nanoTime() - acceptedAt));
            }
            server.sessions.remove(this);
        });
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        decideReading(); // replies backed up (the client is not reading them) or drained
        ctx.fireChannelWritabilityChanged();
    }

    /**
     * Whether the connection reads from the client, decided on the event loop from every reason not to: replies the
     * client is not reading (so that a client pipelining without reading cannot make the server hold its replies in
     * unbounded memory), a pause, input the runner has not consumed yet. Deciding it in one place, from the state
     * now, on one thread, is what keeps reading from staying off for good: threads that each switched it on or off
     * for their own reason could interleave so that the last switch was "off" after every reason had gone.
     */
    private void decideReading() {
        if (!closing) {
            channel.config().setAutoRead(!pausing && channel.isWritable() && !runner.backlogged());
        }
    }

    @Override
    public void reconsiderReading() {
        EventLoop loop = channel.eventLoop();
        if (loop.inEventLoop()) {
            decideReading();
        } else if (!loop.isShuttingDown()) {
            try {
                loop.execute(this::decideReading);
            } catch (RejectedExecutionException e) {
                // the event loop is going away, and the channel with it
            }
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        server.log(protocol.session(), LogLevel.DEBUG, "connection_error", "connection error: " + cause, null);
        ctx.close();
    }

    /** Graceful stop: 421 to the client, then close. Any thread. */
    void shutdown(SmtpReply reply) {
        runner.submit(() -> protocol.abort(reply));
        timer.forceCloseLater();
    }

    // ------------------------------------------------------------ the protocol's side (the runner's thread)

    @Override
    public void consume(ByteBuf buf) {
        if (protocol.isClosed()) {
            buf.release();
            return;
        }
        cumulate(buf);
        receiveCumulation();
        if (protocol.isClosed()) {
            flush();
        }
    }

    @Override
    public boolean closed() {
        return protocol.isClosed();
    }

    @Override
    public void pause(Duration delay) {
        pauseRequested = delay;
    }

    /**
     * Starts the pause asked for: reading stops (the runner's back-pressure leaves it off while paused)
     * and a task on the event loop ends the pause; no thread waits.
     */
    private void startPause(ByteBuf out) {
        Duration delay = pauseRequested;
        pauseRequested = null;
        held = out;
        pausing = true;
        reconsiderReading();
        channel.eventLoop().schedule(() -> runner.submit(this::endPause), delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** The pause is over: the held replies go out, reading resumes, input that waited is read (runner). */
    private void endPause() {
        if (held != null) {
            replies = held; // first, before what the input read now answers
            held = null;
        }
        protocol.resume();
        pausing = false;
        timer.touch();
        if (!protocol.isClosed()) {
            reconsiderReading();
            receiveCumulation();
        }
    }

    /** The protocol reads what has arrived; the read buffer is kept only while it holds unread bytes. */
    private void receiveCumulation() {
        try {
            protocol.receive(cumulation);
        } finally {
            if (cumulation.isReadable()) {
                cumulation.discardSomeReadBytes();
            } else {
                // Everything was consumed: give the read buffer back now rather than at the next read, so that
                // an idle connection holds no buffer (about 2 KiB each otherwise; bench/MemoryBench.java).
                cumulation.release();
                cumulation = Unpooled.EMPTY_BUFFER;
            }
        }
    }

    @Override
    public void failed(Throwable e) {
        server.log(protocol.session(), LogLevel.ERROR, "session_failed", "session failed", e);
        channel.close();
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

    @Override
    public void write(byte[] wire) {
        if (replies == null) {
            replies = channel.alloc().buffer(Math.max(256, wire.length));
        }
        replies.writeBytes(wire);
    }

    @Override
    public void contentEnded() {
        contentEndedAt = System.nanoTime();
    }

    @Override
    public void messageReplied(long octets, SmtpReply reply) {
        if (!server.observers.isEmpty()) {
            server.observers.messageReplied(listener, protocol.session(), octets, reply,
                    Duration.ofNanos(System.nanoTime() - contentEndedAt));
        }
    }

    @Override
    public void startTls() {
        startTlsRequested = true;
    }

    @Override
    public void flush() {
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
        boolean close = protocol.isClosed() || inputShutdown;
        if (pauseRequested != null && !close) {
            startPause(out);
            return;
        }
        if (startTlsRequested && !close && out != null) {
            startTlsRequested = false;
            timer.touch();
            TlsSwitch.startTls(server, channel, protocol.session(), out);
            return;
        }
        if (out != null) {
            timer.touch(); // the client's turn starts now
            if (close) {
                closeAfter(out);
            } else {
                // replies the client does not read turn reading off (channelWritabilityChanged, decideReading)
                channel.writeAndFlush(out, channel.voidPromise());
            }
        } else if (close) {
            closeAfter(Unpooled.EMPTY_BUFFER);
        }
    }

    private void closeAfter(ByteBuf last) {
        if (!closing) {
            closing = true;
            channel.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE);
        } else {
            last.release();
        }
    }
}
