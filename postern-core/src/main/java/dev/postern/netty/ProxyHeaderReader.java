package dev.postern.netty;

import dev.postern.proxy.ProxyHeaderValidator;
import dev.postern.proxy.ProxyInfo;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;

import java.util.Optional;

/**
 * Reads the one PROXY header a trusted proxy sends first: frames it (bounded), applies the checks
 * Netty's decoder lacks ({@link ProxyHeaderValidator}), then lets Netty's {@link HAProxyMessageDecoder}
 * decode exactly those bytes. Bytes after the header stay in the buffer for SMTP.
 *
 * <p>Netty's decoder runs in a throw-away {@link EmbeddedChannel} rather than in the live pipeline so
 * that framing, bounds and the extra checks stay in one place and the decoder can never see, or eat,
 * SMTP bytes that follow the header.
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

    /** Looks at the bytes received so far; consumes the header when it is complete and valid. */
    static Outcome read(ByteBuf in) {
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
            // v2: the version/command byte (the 13th) can be judged before the rest arrives, so a
            // broken header is refused at once rather than at the header timeout.
            if (in.readableBytes() > 12 && in.getByte(in.readerIndex()) == 0x0D) {
                int versionCommand = in.getByte(in.readerIndex() + 12) & 0xFF;
                if (versionCommand >> 4 != 2 || (versionCommand & 0x0F) > 1) {
                    return new Outcome.Invalid(String.format("bad v2 version/command byte 0x%02X", versionCommand));
                }
            }
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
        EmbeddedChannel decoder = new EmbeddedChannel(new HAProxyMessageDecoder());
        try {
            decoder.writeInbound(header.retainedDuplicate());
            HAProxyMessage message = decoder.readInbound();
            if (message == null) {
                return new Outcome.Invalid("header not decodable");
            }
            try {
                ProxyInfo info = ProxyInfo.from(message);
                in.skipBytes(length);
                return new Outcome.Header(info);
            } finally {
                message.release();
            }
        } catch (RuntimeException e) {
            return new Outcome.Invalid(e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
        } finally {
            decoder.finishAndReleaseAll();
        }
    }
}
