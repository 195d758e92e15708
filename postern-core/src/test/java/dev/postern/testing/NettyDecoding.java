package dev.postern.testing;

import dev.postern.proxy.ProxyInfo;
import dev.postern.proxy.internal.ProxyHeaderValidator;
import dev.postern.proxy.internal.NettyProxyMessages;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;

/** Runs bytes through Netty's own PROXY decoder, as the transport will. */
public final class NettyDecoding {

    private NettyDecoding() {
    }

    /** Whether Netty's decoder turns {@code bytes} into a message (rather than failing or waiting for more). */
    public static boolean nettyAccepts(byte[] bytes) {
        EmbeddedChannel channel = new EmbeddedChannel(new HAProxyMessageDecoder());
        try {
            channel.writeInbound(Unpooled.wrappedBuffer(bytes));
            HAProxyMessage msg = channel.readInbound();
            if (msg == null) {
                return false;
            }
            msg.release();
            return true;
        } catch (RuntimeException e) {
            return false;
        } finally {
            try {
                channel.finishAndReleaseAll();
            } catch (RuntimeException ignored) {
                // A decoder failure may surface again when the channel closes; it was counted above.
            }
        }
    }

    /** Frames and checks {@code bytes} with the validator, decodes them with Netty, and converts the result. */
    public static ProxyInfo decode(byte[] bytes) {
        var buf = Unpooled.wrappedBuffer(bytes);
        int length = ProxyHeaderValidator.headerLength(buf);
        if (length != bytes.length) {
            throw new AssertionError("headerLength was " + length + ", expected " + bytes.length);
        }
        ProxyHeaderValidator.check(buf).ifPresent(reason -> {
            throw new AssertionError("validator refused a good header: " + reason);
        });
        EmbeddedChannel channel = new EmbeddedChannel(new HAProxyMessageDecoder());
        try {
            channel.writeInbound(buf);
            HAProxyMessage msg = channel.readInbound();
            try {
                return NettyProxyMessages.toProxyInfo(msg);
            } finally {
                msg.release();
            }
        } finally {
            channel.finishAndReleaseAll();
        }
    }
}
