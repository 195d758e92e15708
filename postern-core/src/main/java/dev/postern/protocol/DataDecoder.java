package dev.postern.protocol;

import dev.postern.LineEndingPolicy;
import dev.postern.message.ContentSink;
import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;

/**
 * Decodes message content: for DATA, dot-unstuffing and the end-of-data mark (RFC 5321 4.5.2, 4.1.1.4);
 * for DATA and BDAT, the line-ending policy. A byte-level state machine that keeps its state across
 * reads, so a terminator split over two TCP segments is found.
 *
 * <p>Only CRLF "." CRLF ends DATA. A "." line that follows a bare CR or a bare LF is content, not an
 * end, under every policy: this is what makes the server immune to SMTP smuggling (CVE-2023-51766:
 * {@code \n.\n}, {@code \r.\r}, {@code \n.\r\n}, {@code \r\n.\n}, {@code \r.\r\n}, {@code \r\n.\r\r\n}, ...).
 * A line start, for dot-unstuffing too, is only the byte after a real CRLF.
 *
 * <p>Policies: STRICT stops at the first bare CR or LF ({@link Result#BARE_LINE_END}); NORMALIZE
 * turns each bare CR and bare LF into CRLF; LEAVE keeps them as received.
 */
public final class DataDecoder {

    /** Why {@link #decode} returned. */
    public enum Result {
        /** All readable bytes were consumed; the content goes on. */
        NEED_MORE,
        /** The end-of-data mark (DATA) was consumed. */
        END,
        /** A bare CR or LF under the strict policy; the offending byte was consumed. */
        BARE_LINE_END
    }

    private enum State { LINE_START, MID, CR, DOT, DOT_CR }

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] CR = {'\r'};
    private static final byte[] LF = {'\n'};
    private static final byte[] DOT = {'.'};
    private static final ByteProcessor FIND_CR_OR_LF = b -> b != '\r' && b != '\n';

    private final LineEndingPolicy policy;
    private final boolean dotStuffed;
    private State state;

    /**
     * @param dotStuffed true for DATA (dot-unstuffing and the end mark), false for BDAT chunks
     */
    public DataDecoder(LineEndingPolicy policy, boolean dotStuffed) {
        this.policy = policy;
        this.dotStuffed = dotStuffed;
        this.state = dotStuffed ? State.LINE_START : State.MID;
    }

    /** Decodes readable bytes of {@code in} into {@code out}, consuming them, until the end mark or a violation. */
    public Result decode(ByteBuf in, ContentSink out) {
        return decode(in, in.readableBytes(), out);
    }

    /** As {@link #decode(ByteBuf, ContentSink)} but consumes at most {@code limit} bytes (a BDAT chunk). */
    public Result decode(ByteBuf in, int limit, ContentSink out) {
        int i = in.readerIndex();
        final int end = i + Math.min(limit, in.readableBytes());
        try {
            while (i < end) {
                switch (state) {
                    case MID -> {
                        int stop = in.forEachByte(i, end - i, FIND_CR_OR_LF);
                        int runEnd = stop < 0 ? end : stop;
                        if (runEnd > i) {
                            out.write(in, i, runEnd - i);
                            i = runEnd;
                        }
                        if (stop >= 0) {
                            byte b = in.getByte(i++);
                            if (b == '\r') {
                                state = State.CR;
                            } else if (!bareLineEnd(LF, out)) {
                                return Result.BARE_LINE_END;
                            }
                        }
                    }
                    case LINE_START -> {
                        byte b = in.getByte(i);
                        if (b == '.') {
                            i++;
                            state = State.DOT;
                        } else {
                            state = State.MID;
                        }
                    }
                    case CR -> {
                        if (in.getByte(i) == '\n') {
                            i++;
                            out.write(CRLF);
                            state = dotStuffed ? State.LINE_START : State.MID;
                        } else {
                            // bare CR; the byte after it is looked at again in MID
                            state = State.MID;
                            if (!bareLineEnd(CR, out)) {
                                return Result.BARE_LINE_END;
                            }
                        }
                    }
                    case DOT -> {
                        byte b = in.getByte(i);
                        if (b == '\r') {
                            i++;
                            state = State.DOT_CR;
                        } else {
                            // RFC 5321 4.5.2: the dot is deleted only when other characters follow on
                            // the line; a "." alone before a bare LF stays.
                            if (b == '\n') {
                                out.write(DOT);
                            }
                            state = State.MID;
                        }
                    }
                    case DOT_CR -> {
                        if (in.getByte(i) == '\n') {
                            i++;
                            state = State.LINE_START;
                            return Result.END;
                        }
                        // "." then a bare CR: the dot is alone on its line, so it stays
                        out.write(DOT);
                        state = State.MID;
                        if (!bareLineEnd(CR, out)) {
                            return Result.BARE_LINE_END;
                        }
                    }
                }
            }
            return Result.NEED_MORE;
        } finally {
            in.readerIndex(i);
        }
    }

    /**
     * Ends BDAT content (after the LAST chunk): a CR left pending at the very end is a bare CR.
     *
     * @return false if that is a violation under the strict policy
     */
    public boolean finish(ContentSink out) {
        if (state == State.CR) {
            state = State.MID;
            return bareLineEnd(CR, out);
        }
        return true;
    }

    /** Applies the policy to one bare CR or LF; false means refuse (strict). */
    private boolean bareLineEnd(byte[] bare, ContentSink out) {
        switch (policy) {
            case STRICT -> {
                return false;
            }
            case NORMALIZE -> out.write(CRLF);
            case LEAVE -> out.write(bare);
        }
        return true;
    }
}
