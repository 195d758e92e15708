package dev.postern.relay.client.netty;

import dev.postern.relay.client.protocol.Durations;
import dev.postern.relay.client.protocol.Reply;
import dev.postern.relay.client.protocol.SmtpWire;
import dev.postern.relay.client.protocol.WireException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One connection as the dialogue sees it: a Netty channel whose pipeline ends in a {@link ReplyFramer} and
 * a {@link ReplyHandler}. Every wait is bounded; a timeout or failure closes the channel, since the
 * dialogue cannot know what state the server is in afterwards.
 */
final class NettyWire implements SmtpWire {

    static final String FRAMER = "framer";
    static final String REPLIES = "replies";

    private final Channel channel;
    private final ReplyHandler replies;
    private final ReplyFramer framer;
    private final SslContext tls;
    private final String peerHost;
    private final int peerPort;
    private volatile boolean secure;

    /**
     * @param channel  a connected channel
     * @param framer   its framer, named {@link #FRAMER}
     * @param replies  its reply handler, named {@link #REPLIES} (kept here: a closed channel's pipeline is emptied)
     * @param tls      the context for STARTTLS, or null when TLS is never used
     * @param peerHost the name the certificate must carry (and the SNI name)
     * @param peerPort the server's port
     */
    NettyWire(Channel channel, ReplyFramer framer, ReplyHandler replies, SslContext tls, String peerHost, int peerPort) {
        this.channel = channel;
        this.framer = framer;
        this.replies = replies;
        this.tls = tls;
        this.peerHost = peerHost;
        this.peerPort = peerPort;
    }

    @Override
    public void send(List<String> commands) {
        StringBuilder b = new StringBuilder();
        for (String c : commands) {
            b.append(c).append("\r\n");
        }
        replies.expect(commands.size());
        // A failed write closes the channel, and the next read reports that.
        channel.writeAndFlush(channel.alloc().buffer(b.length()).writeBytes(b.toString().getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public Reply read(Duration timeout, String awaiting) throws WireException {
        ReplyHandler handler = replies;
        Object event;
        try {
            event = handler.events().poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new WireException("interrupted while waiting for " + awaiting);
        }
        if (event == null) {
            close();
            throw new WireException("no answer within " + Durations.text(timeout) + " while waiting for " + awaiting);
        }
        if (event instanceof ReplyHandler.Failure f) {
            handler.events().add(f); // every later read sees the same failure
            throw new WireException(f.description() + " while waiting for " + awaiting);
        }
        return (Reply) event;
    }

    @Override
    public void write(byte[] data, int length, int replies, Duration timeout) throws WireException {
        if (!channel.isActive()) {
            throw new WireException("connection closed by the server while sending the message");
        }
        this.replies.expect(replies);
        ByteBuf buf = channel.alloc().buffer(length).writeBytes(data, 0, length);
        try {
            Await.get(channel.writeAndFlush(buf), timeout);
        } catch (TimeoutException e) {
            close();
            throw new WireException("the server took no message data for " + Durations.text(timeout));
        } catch (ExecutionException e) {
            close();
            throw new WireException("connection lost while sending the message: " + ReplyHandler.describe(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new WireException("interrupted while sending the message");
        }
    }

    @Override
    public void startTls(Duration timeout) throws WireException {
        if (tls == null) {
            throw new IllegalStateException("STARTTLS without a TLS context");
        }
        SslHandler ssl;
        try {
            ssl = Await.get(channel.eventLoop().submit(this::insertTls), timeout);
        } catch (ExecutionException | TimeoutException | InterruptedException e) {
            close();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new WireException(e instanceof ExecutionException ee ? ee.getCause().getMessage() : "cannot start TLS: " + e);
        }
        try {
            Await.get(ssl.handshakeFuture(), timeout);
            secure = true;
        } catch (TimeoutException e) {
            close();
            throw new WireException("TLS handshake with " + peerHost + " did not finish within " + Durations.text(timeout));
        } catch (ExecutionException e) {
            close();
            throw new WireException("TLS handshake with " + peerHost + " failed: " + ReplyHandler.rootMessage(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new WireException("interrupted during the TLS handshake");
        }
    }

    /**
     * Runs on the event loop, so no read can slip in between the check and the insertion. RFC 3207 6: what
     * arrived after the 220 came in clear and must not be taken as protected (response injection).
     */
    private SslHandler insertTls() throws WireException {
        if (!channel.isActive()) {
            throw new WireException("connection closed by the server before the TLS handshake");
        }
        if (!replies.idle() || framer.buffered()) {
            throw new WireException("the server sent more after its 220 to STARTTLS (RFC 3207 6: possible response injection)");
        }
        SslHandler ssl = tls.newHandler(channel.alloc(), peerHost, peerPort);
        ssl.setHandshakeTimeoutMillis(0); // the caller's bounded wait closes the channel instead
        channel.pipeline().addBefore(FRAMER, "tls", ssl);
        return ssl;
    }

    @Override
    public boolean secure() {
        return secure;
    }

    /** @return whether the connection is open and nothing arrived unasked since the last reply */
    boolean idle() {
        return channel.isActive() && replies.idle();
    }

    Channel channel() {
        return channel;
    }

    @Override
    public void close() {
        close("closed by this client");
    }

    /**
     * Closes the connection, telling a dialogue still waiting on it why.
     *
     * @param why the reason for the report
     */
    void close(String why) {
        replies.closing(why);
        channel.close();
    }
}
