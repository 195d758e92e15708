package dev.postern.protocol;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.postern.LineEndingPolicy;
import dev.postern.testing.FuzzChecks;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.postern.testing.FuzzChecks.check;

/**
 * Fuzzes the command line framer ({@link LineFramer}) on its own, under every line-ending policy, with
 * small bounds so that they are reached.
 *
 * <p>Invariants: a LINE never holds a CR or a NUL and fits the line limit with its end; a bare LF is a line
 * end only outside STRICT; OVERFLOW only when more than the buffer bound is waiting without a LF; the bytes
 * waiting never exceed the bound; and framing the bytes at once or in pieces gives the same outcomes.
 */
class LineFramerFuzzTest {

    private static final int MAX_LINE = 40;
    private static final int MAX_BUFFER = 64;

    @FuzzTest(maxDuration = "5m")
    void frames(byte[] input) {
        for (LineEndingPolicy policy : LineEndingPolicy.values()) {
            List<String> whole = frame(policy, input, new int[0]);
            List<String> pieces = frame(policy, input, FuzzChecks.cuts(input, 8));
            List<String> bytewise = frame(policy, input, everyByte(input.length));
            if (!whole.contains("OVERFLOW") && !pieces.contains("OVERFLOW") && !bytewise.contains("OVERFLOW")) {
                // (where a read ends decides when an overlong unterminated line overflows)
                check(pieces.equals(whole), policy + ": in pieces " + pieces + ", at once " + whole);
                check(bytewise.equals(whole), policy + ": byte at a time " + bytewise + ", at once " + whole);
            }
        }
    }

    private static List<String> frame(LineEndingPolicy policy, byte[] input, int[] cuts) {
        LineFramer framer = new LineFramer(policy, MAX_LINE, MAX_BUFFER);
        List<String> outcomes = new ArrayList<>();
        ByteBuf in = Unpooled.buffer();
        int from = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int to = i < cuts.length ? cuts[i] : input.length;
            in.writeBytes(input, from, to - from);
            from = to;
            while (true) {
                int before = in.readerIndex();
                boolean lf = in.forEachByte(ByteBufIndexFinder.LF) >= 0;
                LineFramer.Outcome o = framer.next(in);
                if (o == LineFramer.Outcome.NEED_MORE) {
                    check(!lf && in.readableBytes() <= MAX_BUFFER, "NEED_MORE with a LF waiting or over the bound");
                    break;
                }
                if (o == LineFramer.Outcome.OVERFLOW) {
                    check(!lf && in.readableBytes() > MAX_BUFFER, "OVERFLOW with a LF or within the bound");
                    outcomes.add("OVERFLOW");
                    in.skipBytes(in.readableBytes());
                    break;
                }
                check(in.readerIndex() > before, o + " consumed nothing");
                byte[] consumed = new byte[in.readerIndex() - before];
                in.getBytes(before, consumed);
                check(consumed[consumed.length - 1] == '\n', o + " did not end at a LF");
                boolean crlf = consumed.length >= 2 && consumed[consumed.length - 2] == '\r';
                switch (o) {
                    case LINE -> {
                        byte[] line = Arrays.copyOf(framer.line(), framer.lineLength());
                        check(line.length + (crlf ? 2 : 1) <= MAX_LINE, "line over the limit");
                        check(policy != LineEndingPolicy.STRICT || crlf, "STRICT took a bare LF as a line end");
                        for (byte b : line) {
                            check(b != '\r' && b != 0 && b != '\n', "CR, LF or NUL in a line");
                        }
                        outcomes.add("LINE " + FuzzChecks.show(line));
                    }
                    case BARE_LF -> {
                        check(policy == LineEndingPolicy.STRICT && !crlf, "BARE_LF outside STRICT or after CR");
                        outcomes.add("BARE_LF");
                    }
                    case TOO_LONG -> {
                        check(consumed.length > MAX_LINE, "TOO_LONG for " + consumed.length + " bytes");
                        outcomes.add("TOO_LONG");
                    }
                    case BAD_CHARACTER -> outcomes.add("BAD_CHARACTER");
                    default -> throw new AssertionError(o);
                }
            }
            in.discardReadBytes();
        }
        return outcomes;
    }

    private static int[] everyByte(int length) {
        int[] cuts = new int[Math.max(0, length - 1)];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = i + 1;
        }
        return cuts;
    }

    private static final class ByteBufIndexFinder {
        static final io.netty.util.ByteProcessor LF = io.netty.util.ByteProcessor.FIND_LF;
    }
}
