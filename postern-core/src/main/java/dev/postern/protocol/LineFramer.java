package dev.postern.protocol;

import dev.postern.LineEndingPolicy;
import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;

/**
 * Finds the next command line in the bytes received, with the bounds and line-ending rules in one
 * place. A line ends in CRLF; under {@link LineEndingPolicy#NORMALIZE} and {@link LineEndingPolicy#LEAVE}
 * a bare LF also ends it, under {@link LineEndingPolicy#STRICT} a bare LF is refused. A bare CR or a
 * NUL is never a line end and always makes the line invalid (RFC 5321 2.3.8).
 *
 * <p>Netty's LineBasedFrameDecoder is not used because it treats a bare CR-less LF the same in every
 * mode and knows nothing of NUL or bare CR; the rules here are what SMTP smuggling defenses need.
 */
public final class LineFramer {

    /** What {@link #next} found. */
    public enum Outcome {
        /** A complete line; {@link #line()} has it (without the line end). */
        LINE,
        /** No complete line yet. */
        NEED_MORE,
        /** A complete line longer than the command line limit (500 5.5.6, the session goes on). */
        TOO_LONG,
        /** A complete line with a NUL or a bare CR (500 5.5.2). */
        BAD_CHARACTER,
        /** A bare LF under the strict policy (5xx and close). */
        BARE_LF,
        /** No line end within the buffer bound (421 and close). */
        OVERFLOW
    }

    private static final ByteProcessor FIND_LF = ByteProcessor.FIND_LF;

    private final LineEndingPolicy policy;
    private final int maxLineLength;
    private final int maxBuffer;
    private byte[] line = new byte[0];
    private int lineLength;

    public LineFramer(LineEndingPolicy policy, int maxLineLength, int maxBuffer) {
        this.policy = policy;
        this.maxLineLength = maxLineLength;
        this.maxBuffer = maxBuffer;
    }

    /** Looks for a line at the reader index of {@code in}; consumes it (and its end) unless NEED_MORE / OVERFLOW. */
    public Outcome next(ByteBuf in) {
        return next(in, maxLineLength);
    }

    /** As {@link #next(ByteBuf)}, with a line limit (line end included) for this line only, e.g. for AUTH. */
    public Outcome next(ByteBuf in, int maxLineLength) {
        int start = in.readerIndex();
        int lf = in.forEachByte(start, in.readableBytes(), FIND_LF);
        if (lf < 0) {
            return in.readableBytes() > maxBuffer ? Outcome.OVERFLOW : Outcome.NEED_MORE;
        }
        int end = lf; // exclusive end of content
        boolean crlf = end > start && in.getByte(end - 1) == '\r';
        if (crlf) {
            end--;
        }
        int terminatorLength = crlf ? 2 : 1;
        int length = end - start;
        in.readerIndex(lf + 1);
        if (!crlf && policy == LineEndingPolicy.STRICT) {
            return Outcome.BARE_LF;
        }
        if (length + terminatorLength > maxLineLength) {
            return Outcome.TOO_LONG;
        }
        if (in.forEachByte(start, length, b -> b != 0 && b != '\r') >= 0) {
            return Outcome.BAD_CHARACTER;
        }
        if (line.length < length) {
            line = new byte[Math.max(length, 128)];
        }
        in.getBytes(start, line, 0, length);
        lineLength = length;
        return Outcome.LINE;
    }

    /** The bytes of the last line found; valid until the next call. */
    public byte[] line() {
        return line;
    }

    public int lineLength() {
        return lineLength;
    }
}
