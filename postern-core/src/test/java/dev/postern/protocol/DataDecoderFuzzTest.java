package dev.postern.protocol;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.postern.LineEndingPolicy;
import dev.postern.message.ContentSink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

import static dev.postern.testing.FuzzChecks.check;
import static dev.postern.testing.FuzzChecks.cuts;
import static dev.postern.testing.FuzzChecks.show;

/**
 * Fuzzes the DATA and BDAT content decoder ({@link DataDecoder}) under every line-ending policy.
 *
 * <p>Invariants: decoding at once, one byte at a time and in pieces gives the same result, the same
 * content and consumes the same bytes; only CRLF "." CRLF ends DATA (the decoder stops exactly after the
 * first one in the raw bytes, and nowhere else); the content is the reference dot-unstuffing of the bytes
 * before that mark; under NORMALIZE the content holds no bare CR or LF, under STRICT a bare CR or LF
 * stops decoding exactly when the bytes hold one; BDAT content is never ended by the decoder.
 */
class DataDecoderFuzzTest {

    private static final byte[] END_MARK = {'\r', '\n', '.', '\r', '\n'};

    record Decoded(DataDecoder.Result result, byte[] content, int consumed) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Decoded d && d.result == result && d.consumed == consumed && Arrays.equals(d.content, content);
        }

        @Override
        public int hashCode() {
            return result.hashCode();
        }

        @Override
        public String toString() {
            return result + " consumed=" + consumed + " content=" + show(content);
        }
    }

    /** DATA: the input, then an end mark so that every run ends. */
    @FuzzTest(maxDuration = "5m")
    void data(byte[] input) {
        byte[] bytes = Arrays.copyOf(input, input.length + END_MARK.length);
        System.arraycopy(END_MARK, 0, bytes, input.length, END_MARK.length);
        int markEnd = firstEndMark(bytes);
        // the CRLF before "." is the last line end of the content; ".CRLF" is the mark
        byte[] body = Arrays.copyOf(bytes, markEnd - 3);
        boolean bare = hasBareLineEnd(Arrays.copyOf(bytes, markEnd));
        for (LineEndingPolicy policy : LineEndingPolicy.values()) {
            Decoded whole = decode(policy, true, bytes, new int[0]);
            Decoded bytewise = decode(policy, true, bytes, everyByte(bytes.length));
            Decoded pieces = decode(policy, true, bytes, cuts(bytes, 7));
            check(bytewise.equals(whole), policy + ": byte at a time " + bytewise + " differs from at once " + whole);
            check(pieces.equals(whole), policy + ": in pieces " + pieces + " differs from at once " + whole);
            if (policy == LineEndingPolicy.STRICT && bare) {
                check(whole.result == DataDecoder.Result.BARE_LINE_END, "STRICT accepted a bare CR or LF: " + whole);
                check(!hasBareLineEnd(whole.content), "STRICT wrote a bare CR or LF: " + whole);
                continue;
            }
            check(whole.result == DataDecoder.Result.END, policy + ": no end at the first CRLF.CRLF: " + whole);
            check(whole.consumed == markEnd, policy + ": ended at " + whole.consumed + ", the first CRLF.CRLF ends at " + markEnd);
            byte[] unstuffed = unstuff(body);
            switch (policy) {
                case LEAVE, STRICT -> check(Arrays.equals(whole.content, unstuffed),
                        policy + ": content " + show(whole.content) + " is not the unstuffed " + show(unstuffed));
                case NORMALIZE -> {
                    check(!hasBareLineEnd(whole.content), "NORMALIZE left a bare CR or LF: " + whole);
                    check(Arrays.equals(withoutLineEnds(whole.content), withoutLineEnds(unstuffed)),
                            "NORMALIZE changed more than line ends: " + whole);
                }
            }
        }
    }

    /** BDAT: chunks of the input (sizes taken from the input), nothing ends the content but its size. */
    @FuzzTest(maxDuration = "5m")
    void bdat(byte[] input) {
        boolean bare = hasBareLineEnd(input);
        for (LineEndingPolicy policy : LineEndingPolicy.values()) {
            Decoded whole = decodeChunks(policy, input, new int[0]);
            Decoded bytewise = decodeChunks(policy, input, everyByte(input.length));
            Decoded pieces = decodeChunks(policy, input, cuts(input, 5));
            check(bytewise.equals(whole), policy + ": BDAT byte at a time " + bytewise + " differs from at once " + whole);
            check(pieces.equals(whole), policy + ": BDAT in pieces " + pieces + " differs from at once " + whole);
            check(whole.result != DataDecoder.Result.END, "BDAT content was ended by its bytes: " + whole);
            if (policy == LineEndingPolicy.STRICT && bare) {
                check(whole.result == DataDecoder.Result.BARE_LINE_END, "STRICT BDAT accepted a bare CR or LF: " + whole);
                continue;
            }
            check(whole.consumed == input.length, policy + ": BDAT did not consume its chunk: " + whole);
            switch (policy) {
                case LEAVE, STRICT -> check(Arrays.equals(whole.content, input), policy + ": BDAT changed content: " + whole);
                case NORMALIZE -> {
                    check(!hasBareLineEnd(whole.content), "NORMALIZE BDAT left a bare CR or LF: " + whole);
                    check(Arrays.equals(withoutLineEnds(whole.content), withoutLineEnds(input)), "NORMALIZE BDAT changed more than line ends");
                }
            }
        }
    }

    private static Decoded decode(LineEndingPolicy policy, boolean dotStuffed, byte[] bytes, int[] cuts) {
        DataDecoder decoder = new DataDecoder(policy, dotStuffed);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ContentSink sink = MemorySinks.into(out);
        ByteBuf in = Unpooled.buffer();
        int consumed = 0;
        int from = 0;
        DataDecoder.Result result = DataDecoder.Result.NEED_MORE;
        for (int i = 0; i <= cuts.length && result == DataDecoder.Result.NEED_MORE; i++) {
            int to = i < cuts.length ? cuts[i] : bytes.length;
            in.writeBytes(bytes, from, to - from);
            from = to;
            int before = in.readerIndex();
            result = decoder.decode(in, sink);
            consumed += in.readerIndex() - before;
            check(result != DataDecoder.Result.NEED_MORE || !in.isReadable(), "NEED_MORE left bytes unread");
            in.discardReadBytes();
        }
        return new Decoded(result, out.toByteArray(), consumed);
    }

    // BDAT: each piece is a chunk; the decoder reads exactly the chunk, finish() after the last
    private static Decoded decodeChunks(LineEndingPolicy policy, byte[] bytes, int[] cuts) {
        DataDecoder decoder = new DataDecoder(policy, false);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ContentSink sink = MemorySinks.into(out);
        int consumed = 0;
        int from = 0;
        DataDecoder.Result result = DataDecoder.Result.NEED_MORE;
        // the buffer holds more than the chunk (the next command), which the decoder must not touch
        for (int i = 0; i <= cuts.length && result == DataDecoder.Result.NEED_MORE; i++) {
            int to = i < cuts.length ? cuts[i] : bytes.length;
            ByteBuf in = Unpooled.buffer();
            in.writeBytes(bytes, from, to - from);
            in.writeBytes(new byte[] {'Q', 'U', 'I', 'T', '\r', '\n'});
            result = decoder.decode(in, to - from, sink);
            consumed += in.readerIndex();
            check(in.readerIndex() <= to - from, "BDAT decoder read past its chunk");
            from = to;
        }
        if (result == DataDecoder.Result.NEED_MORE && !decoder.finish(sink)) {
            result = DataDecoder.Result.BARE_LINE_END;
        }
        return new Decoded(result, out.toByteArray(), consumed);
    }

    /** Where the first end-of-data mark ends: ".\r\n" at the very start counts (DATA starts at a line start). */
    static int firstEndMark(byte[] b) {
        if (b.length >= 3 && b[0] == '.' && b[1] == '\r' && b[2] == '\n') {
            return 3;
        }
        for (int i = 0; i + 5 <= b.length; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '.' && b[i + 3] == '\r' && b[i + 4] == '\n') {
                return i + 5;
            }
        }
        throw new AssertionError("no end mark");
    }

    /**
     * RFC 5321 4.5.2, the reference: at each line start (the start, or after CRLF) a leading dot is
     * removed when other characters follow on the line; a dot alone before a bare CR or LF stays.
     */
    static byte[] unstuff(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < body.length; i++) {
            boolean lineStart = i == 0 || (i >= 2 && body[i - 2] == '\r' && body[i - 1] == '\n');
            if (lineStart && body[i] == '.' && i + 1 < body.length) {
                byte next = body[i + 1];
                boolean aloneBeforeBareEnd = next == '\n' || (next == '\r' && (i + 2 >= body.length || body[i + 2] != '\n'));
                if (!aloneBeforeBareEnd) {
                    continue;
                }
            }
            out.write(body[i]);
        }
        return out.toByteArray();
    }

    static boolean hasBareLineEnd(byte[] b) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == '\r' && (i + 1 >= b.length || b[i + 1] != '\n')) {
                return true;
            }
            if (b[i] == '\n' && (i == 0 || b[i - 1] != '\r')) {
                return true;
            }
        }
        return false;
    }

    private static byte[] withoutLineEnds(byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte x : b) {
            if (x != '\r' && x != '\n') {
                out.write(x);
            }
        }
        return out.toByteArray();
    }

    private static int[] everyByte(int length) {
        int[] cuts = new int[Math.max(0, length - 1)];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = i + 1;
        }
        return cuts;
    }
}
