package dev.postern.protocol;

import dev.postern.LineEndingPolicy;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static dev.postern.protocol.LineFramer.Outcome.BAD_CHARACTER;
import static dev.postern.protocol.LineFramer.Outcome.BARE_LF;
import static dev.postern.protocol.LineFramer.Outcome.LINE;
import static dev.postern.protocol.LineFramer.Outcome.NEED_MORE;
import static dev.postern.protocol.LineFramer.Outcome.OVERFLOW;
import static dev.postern.protocol.LineFramer.Outcome.TOO_LONG;
import static org.assertj.core.api.Assertions.assertThat;

/** The command line framer's bounds, exactly at their limits, and lines at the very start of the buffer. */
class LineFramerTest {

    private static ByteBuf ascii(String s) {
        return Unpooled.wrappedBuffer(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String line(LineFramer f) {
        return new String(f.line(), 0, f.lineLength(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void theLineLimitCountsTheLineEnd() {
        LineFramer f = new LineFramer(LineEndingPolicy.NORMALIZE, 10, 100);
        ByteBuf in = ascii("12345678\r\n123456789\r\n123456789\n1234567890\n");
        assertThat(f.next(in)).isEqualTo(LINE); // 8 + CRLF = 10
        assertThat(line(f)).isEqualTo("12345678");
        assertThat(f.next(in)).isEqualTo(TOO_LONG); // 9 + CRLF = 11
        assertThat(f.next(in)).isEqualTo(LINE); // 9 + LF = 10
        assertThat(line(f)).isEqualTo("123456789");
        assertThat(f.next(in)).isEqualTo(TOO_LONG); // 10 + LF = 11
        assertThat(in.isReadable()).isFalse();
        assertThat(f.next(ascii("1234567890\r\n"), 12)).isEqualTo(LINE); // a longer limit for this line only
    }

    @Test
    void theBufferBoundWithoutALineEnd() {
        LineFramer f = new LineFramer(LineEndingPolicy.NORMALIZE, 10, 16);
        assertThat(f.next(ascii("x".repeat(16)))).isEqualTo(NEED_MORE);
        assertThat(f.next(ascii("x".repeat(17)))).isEqualTo(OVERFLOW);
    }

    @Test
    void aLineEndAtTheVeryStartOfTheBuffer() {
        assertThat(new LineFramer(LineEndingPolicy.NORMALIZE, 10, 100).next(ascii("\n"))).isEqualTo(LINE);
        assertThat(new LineFramer(LineEndingPolicy.STRICT, 10, 100).next(ascii("\n"))).isEqualTo(BARE_LF);
        LineFramer f = new LineFramer(LineEndingPolicy.STRICT, 10, 100);
        ByteBuf in = ascii("\r\nA\r\n");
        assertThat(f.next(in)).isEqualTo(LINE);
        assertThat(f.lineLength()).isZero();
        assertThat(f.next(in)).isEqualTo(LINE);
        assertThat(line(f)).isEqualTo("A");
    }

    @Test
    void aNulOrBareCrAnywhereInTheLineIsABadCharacter() {
        for (String bad : new String[] {"\0AB\r\n", "A\0B\r\n", "AB\0\r\n", "\rAB\r\n", "A\rB\r\n", "AB\r\r\n"}) {
            assertThat(new LineFramer(LineEndingPolicy.NORMALIZE, 100, 100).next(ascii(bad))).as(bad).isEqualTo(BAD_CHARACTER);
        }
        ByteBuf behind = ascii("NOOP\r\n\0X\r\n");
        LineFramer f = new LineFramer(LineEndingPolicy.NORMALIZE, 100, 100);
        assertThat(f.next(behind)).isEqualTo(LINE);
        assertThat(f.next(behind)).isEqualTo(BAD_CHARACTER);
    }
}
