package dev.postern.relay.client.netty;

import dev.postern.relay.client.protocol.MalformedReplyException;
import dev.postern.relay.client.protocol.Reply;
import dev.postern.relay.client.protocol.ReplyParser;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.proxy.ProxyConnectException;

import javax.net.ssl.SSLException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The end of the pipeline: turns lines into replies and hands them to the dialogue's thread through a
 * queue; a failure (closed connection, malformed reply, TLS alert) is queued as the last event. The queue
 * is bounded by what was asked: each command adds an expected reply, and a server that sends more than
 * {@link #MAX_UNSOLICITED} replies beyond that (a 421 before closing is legitimate) is cut off.
 */
final class ReplyHandler extends ChannelInboundHandlerAdapter {

    /** Replies a server may send unasked, e.g. RFC 5321 3.8's 421 before it closes. */
    static final int MAX_UNSOLICITED = 2;

    /** A failure: what went wrong, in words for the delivery report. */
    record Failure(String description) {
    }

    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private final ReplyParser parser = new ReplyParser();
    /** Replies expected and not yet received; starts at one, the greeting. */
    private final AtomicInteger expected = new AtomicInteger(1);
    private volatile boolean failed;
    private volatile String closedHere;

    BlockingQueue<Object> events() {
        return events;
    }

    void expect(int replies) {
        expected.addAndGet(replies);
    }

    /** @return whether nothing is waiting to be read and no reply is half-received */
    boolean idle() {
        return events.isEmpty() && !parser.inProgress();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf line = (ByteBuf) msg;
        try {
            if (failed) {
                return;
            }
            // Reply text is US-ASCII, or UTF-8 with SMTPUTF8 (RFC 6531 3.7.4); anything else becomes U+FFFD.
            Reply reply = parser.accept(line.toString(StandardCharsets.UTF_8));
            if (reply != null) {
                if (expected.decrementAndGet() < -MAX_UNSOLICITED) {
                    fail(ctx, "the server sent more replies than commands");
                    return;
                }
                events.add(reply);
            }
        } catch (MalformedReplyException e) {
            fail(ctx, "malformed reply from the server: " + e.getMessage());
        } finally {
            line.release();
        }
    }

    /**
     * This side is about to close the connection, so the waiting dialogue learns why.
     *
     * @param why e.g. "the relay client is closing"
     */
    void closing(String why) {
        closedHere = why;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        String why = closedHere;
        fail(ctx, why == null ? "connection closed by the server" : "connection closed: " + why);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx, describe(cause));
    }

    private void fail(ChannelHandlerContext ctx, String description) {
        if (!failed) {
            failed = true;
            events.add(new Failure(description));
        }
        ctx.close();
    }

    /** Words for a pipeline exception: the last cause's message, with the kind of failure in front. */
    static String describe(Throwable cause) {
        Throwable root = cause;
        while (root instanceof DecoderException && root.getCause() != null) {
            root = root.getCause();
        }
        if (root instanceof TooLongFrameException) {
            return "reply line longer than " + ReplyParser.MAX_LINE_LENGTH + " octets";
        }
        if (root instanceof SSLException) {
            return "TLS failure: " + innermost(root).getMessage();
        }
        if (root instanceof ProxyConnectException) {
            return "SOCKS5 proxy failure: " + root.getMessage();
        }
        if (innermost(root) instanceof ClosedChannelException) {
            return "connection closed"; // Netty's is stackless and has no message: its class name told nobody anything
        }
        String message = innermost(root).getMessage();
        return "connection failure: " + (message == null ? innermost(root).getClass().getSimpleName() : message);
    }

    /** @return the message of the innermost cause (a TLS alert's own words, say) */
    static String rootMessage(Throwable t) {
        Throwable root = innermost(t);
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    private static Throwable innermost(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c;
    }
}
