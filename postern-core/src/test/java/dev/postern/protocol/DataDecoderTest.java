package dev.postern.protocol;

import dev.postern.LineEndingPolicy;
import dev.postern.message.ContentSink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class DataDecoderTest {

    /** Decodes {@code input} fed one byte at a time and all at once; both must agree. */
    record Decoded(DataDecoder.Result result, String content, int consumed) {
    }

    static Decoded decode(LineEndingPolicy policy, String input) {
        Decoded whole = run(policy, input, input.length());
        Decoded bytewise = run(policy, input, 1);
        assertThat(bytewise).as("byte-at-a-time decoding agrees").isEqualTo(whole);
        return whole;
    }

    private static Decoded run(LineEndingPolicy policy, String input, int step) {
        DataDecoder d = new DataDecoder(policy, true);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ContentSink sink = MemorySinks.into(out);
        byte[] all = input.getBytes(StandardCharsets.ISO_8859_1);
        int consumed = 0;
        DataDecoder.Result r = DataDecoder.Result.NEED_MORE;
        for (int i = 0; i < all.length && r == DataDecoder.Result.NEED_MORE; i += step) {
            ByteBuf buf = Unpooled.wrappedBuffer(all, i, Math.min(step, all.length - i));
            r = d.decode(buf, sink);
            consumed += buf.readerIndex();
        }
        return new Decoded(r, out.toString(StandardCharsets.ISO_8859_1), consumed);
    }

    @Test
    void endsOnlyAtCrLfDotCrLfAndLeavesWhatFollows() {
        Decoded d = decode(LineEndingPolicy.NORMALIZE, "a\r\nb\r\n.\r\nQUIT\r\n");
        assertThat(d.result()).isEqualTo(DataDecoder.Result.END);
        assertThat(d.content()).isEqualTo("a\r\nb\r\n");
        assertThat(d.consumed()).isEqualTo(9);
    }

    @Test
    void emptyMessage() {
        Decoded d = decode(LineEndingPolicy.STRICT, ".\r\n");
        assertThat(d.result()).isEqualTo(DataDecoder.Result.END);
        assertThat(d.content()).isEmpty();
    }

    @Test
    void dotStuffedLinesAreUnstuffed() {
        Decoded d = decode(LineEndingPolicy.STRICT, "..a\r\n...\r\n.x.\r\n.\r\n");
        assertThat(d.content()).isEqualTo(".a\r\n..\r\nx.\r\n");
    }

    /** CVE-2023-51766 and its relatives: none of these may end DATA, under any policy but strict's refusal. */
    @ParameterizedTest
    @ValueSource(strings = {"\n.\n", "\r.\r", "\n.\r\n", "\r\n.\n", "\r.\r\n", "\r\n.\r\r\n", "\r\n.\r", "\n.\r"})
    void smugglingVariantsNeverEndData(String mark) {
        String input = "Subject: a\r\n\r\nx" + mark + "MAIL FROM:<evil@x>\r\n";
        for (LineEndingPolicy p : new LineEndingPolicy[]{LineEndingPolicy.NORMALIZE, LineEndingPolicy.LEAVE}) {
            Decoded d = decode(p, input);
            assertThat(d.result()).as(p + " " + mark.replace("\r", "\\r").replace("\n", "\\n"))
                    .isEqualTo(DataDecoder.Result.NEED_MORE);
            assertThat(d.content()).contains("MAIL FROM:<evil@x>");
        }
        assertThat(decode(LineEndingPolicy.STRICT, input).result()).isEqualTo(DataDecoder.Result.BARE_LINE_END);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\n.\n", "\r.\r", "\n.\r\n", "\r\n.\n", "\r.\r\n", "\r\n.\r\r\n"})
    void normalizedSmugglingContentHasNoBareLineEnds(String mark) {
        Decoded d = decode(LineEndingPolicy.NORMALIZE, "x" + mark + "y\r\n");
        assertThat(d.content().replace("\r\n", "")).doesNotContain("\r", "\n");
    }

    @Test
    void leaveKeepsBareLineEndsExactly() {
        Decoded d = decode(LineEndingPolicy.LEAVE, "a\nb\rc\r\n.\r\n");
        assertThat(d.content()).isEqualTo("a\nb\rc\r\n");
    }

    @Test
    void normalizeTurnsBareLineEndsIntoCrLf() {
        Decoded d = decode(LineEndingPolicy.NORMALIZE, "a\nb\rc\r\r\n.\r\n");
        assertThat(d.content()).isEqualTo("a\r\nb\r\nc\r\n\r\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\nb", "a\rb", "a\r\n.\nb", ".\rb"})
    void strictRefusesAnyBareLineEnd(String input) {
        assertThat(decode(LineEndingPolicy.STRICT, input + "\r\n.\r\n").result()).isEqualTo(DataDecoder.Result.BARE_LINE_END);
    }

    @ParameterizedTest
    @EnumSource(LineEndingPolicy.class)
    void terminatorSplitAtEveryPositionIsFound(LineEndingPolicy policy) {
        // decode() already checks byte-at-a-time against whole-buffer decoding
        assertThat(decode(policy, "line\r\n.\r\n").result()).isEqualTo(DataDecoder.Result.END);
    }

    @Test
    void bdatContentIsNotUnstuffedAndHasNoEndMark() {
        DataDecoder d = new DataDecoder(LineEndingPolicy.NORMALIZE, false);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ContentSink sink = MemorySinks.into(out);
        ByteBuf in = Unpooled.copiedBuffer("..x\r\n.\r\nrest", StandardCharsets.US_ASCII);
        assertThat(d.decode(in, 8, sink)).isEqualTo(DataDecoder.Result.NEED_MORE);
        assertThat(in.readerIndex()).isEqualTo(8);
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("..x\r\n.\r\n");
    }

    /** RFC 5321 4.5.2: a dot is removed only when more follows on its line; alone before a bare line end it stays. */
    @Test
    void aDotAloneBeforeABareLineEndStaysInTheContent() {
        assertThat(decode(LineEndingPolicy.LEAVE, "a\r\n.\nb\r\n.\r\n").content()).isEqualTo("a\r\n.\nb\r\n");
        assertThat(decode(LineEndingPolicy.LEAVE, "a\r\n.\rb\r\n.\r\n").content()).isEqualTo("a\r\n.\rb\r\n");
        assertThat(decode(LineEndingPolicy.NORMALIZE, "a\r\n.\nb\r\n.\r\n").content()).isEqualTo("a\r\n.\r\nb\r\n");
        assertThat(decode(LineEndingPolicy.NORMALIZE, "a\r\n.\rb\r\n.\r\n").content()).isEqualTo("a\r\n.\r\nb\r\n");
    }

    /** The end of BDAT content with a CR pending: a bare CR, by the policy. */
    @Test
    void finishingContentThatEndsInACr() {
        for (LineEndingPolicy policy : LineEndingPolicy.values()) {
            DataDecoder d = new DataDecoder(policy, false);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ContentSink sink = MemorySinks.into(out);
            assertThat(d.decode(Unpooled.copiedBuffer("ab\r", StandardCharsets.US_ASCII), sink)).isEqualTo(DataDecoder.Result.NEED_MORE);
            boolean finished = d.finish(sink);
            String content = out.toString(StandardCharsets.US_ASCII);
            switch (policy) {
                case STRICT -> assertThat(finished).isFalse();
                case NORMALIZE -> assertThat(content).isEqualTo("ab\r\n");
                case LEAVE -> assertThat(content).isEqualTo("ab\r");
            }
            if (policy != LineEndingPolicy.STRICT) {
                assertThat(finished).as(policy.name()).isTrue();
            }
            DataDecoder clean = new DataDecoder(policy, false);
            clean.decode(Unpooled.copiedBuffer("ab\r\n", StandardCharsets.US_ASCII), sink);
            assertThat(clean.finish(sink)).as(policy.name()).isTrue();
        }
    }
}
