package dev.postern.netty;

import dev.postern.proxy.internal.NettyProxyMessages;
import dev.postern.proxy.internal.ProxyHeaderValidator;
import dev.postern.proxy.internal.V1PortZero;
import dev.postern.proxy.ProxyInfo;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the one PROXY header a trusted proxy sends first: frames it (bounded), applies the checks
 * Netty's decoder lacks ({@link ProxyHeaderValidator}), then lets Netty's {@link HAProxyMessageDecoder}
 * decode exactly those bytes. Bytes after the header stay in the buffer for SMTP.
 *
 * <p>Netty's decoder is driven directly on exactly the header's bytes rather than sitting in the live
 * pipeline, so that framing, bounds and the extra checks stay in one place and the decoder can never
 * see, or eat, SMTP bytes that follow the header. (An earlier version ran it in a throw-away
 * {@code EmbeddedChannel}; building and tearing that down cost about 7 µs per connection, more than
 * everything else on the PROXY path together.)
 */
final class ProxyHeaderReader {

    /** Largest header accepted: generous for TLVs (SSL, UNIQUE_ID), far below the v2 maximum of 64 KiB. */
    static final int MAX_HEADER_BYTES = 8192;

    sealed interface Outcome {
        record NeedMore() implements Outcome {
        }

        /** No header: the bytes are SMTP (only acceptable in optional mode). */
        record NotProxy() implements Outcome {
        }

        record Header(ProxyInfo info) implements Outcome {
        }

        record Invalid(String reason) implements Outcome {
        }
    }

    static final Outcome NEED_MORE = new Outcome.NeedMore();
    static final Outcome NOT_PROXY = new Outcome.NotProxy();

    private ProxyHeaderReader() {
    }

    /**
     * Looks at the bytes received so far; consumes the header when it is complete and valid.
     *
     * @param ctx the connection's context, which Netty's decoder closes if it refuses a header that
     *            passed our own checks (the connection is refused then anyway)
     */
    static Outcome read(ByteBuf in, ChannelHandlerContext ctx) {
        int length;
        try {
            length = ProxyHeaderValidator.headerLength(in);
        } catch (HAProxyProtocolException e) {
            return new Outcome.Invalid(e.getMessage());
        }
        if (length == ProxyHeaderValidator.NOT_PROXY) {
            return NOT_PROXY;
        }
        if (length == ProxyHeaderValidator.NEED_MORE) {
            return in.readableBytes() > MAX_HEADER_BYTES
                    ? new Outcome.Invalid("header longer than " + MAX_HEADER_BYTES + " bytes") : NEED_MORE;
        }
        if (length > MAX_HEADER_BYTES) {
            return new Outcome.Invalid("header of " + length + " bytes is longer than " + MAX_HEADER_BYTES);
        }
        ByteBuf header = in.slice(in.readerIndex(), length);
        Optional<String> problem = ProxyHeaderValidator.check(header);
        if (problem.isPresent()) {
            return new Outcome.Invalid(problem.get());
        }
        if (V1PortZero.applies(header)) {
            ProxyInfo info = V1PortZero.read(header); // Netty refuses port 0, which the spec allows
            in.skipBytes(length);
            return new Outcome.Header(info);
        }
        HAProxyMessage message;
        try {
            message = new DirectDecoder().decodeHeader(ctx, header.duplicate());
        } catch (Exception e) {
            return new Outcome.Invalid(e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
        }
        if (message == null) {
            return new Outcome.Invalid("header not decodable");
        }
        try {
            ProxyInfo info = NettyProxyMessages.toProxyInfo(message);
            in.skipBytes(length);
            return new Outcome.Header(info);
        } finally {
            message.release();
        }
    }

    /**
     * Netty's decoder, used once, outside any pipeline: {@code decode} is only reachable from a subclass.
     * Given a buffer holding exactly one complete header, it yields exactly one message (or throws).
     */
    private static final class DirectDecoder extends HAProxyMessageDecoder {
        HAProxyMessage decodeHeader(ChannelHandlerContext ctx, ByteBuf header) throws Exception {
            List<Object> out = new ArrayList<>(1);
            decode(ctx, header, out);
            return out.isEmpty() ? null : (HAProxyMessage) out.getFirst();
        }
    }
}
