package dev.postern.relay.client.protocol;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class DataEncoderTest {

    private static String encode(boolean dotStuff, String... blocks) {
        DataEncoder e = new DataEncoder(dotStuff);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String block : blocks) {
            byte[] in = block.getBytes(StandardCharsets.ISO_8859_1);
            byte[] buf = new byte[DataEncoder.maxOutput(in.length)];
            out.write(buf, 0, e.encode(in, 0, in.length, buf, 0));
        }
        byte[] buf = new byte[5];
        out.write(buf, 0, e.finish(buf, 0));
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void dotStuffingAtEveryLineStart() {
        assertThat(encode(true, ".first\r\nmid.dle\r\n..two\r\n.\r\n")).isEqualTo("..first\r\nmid.dle\r\n...two\r\n..\r\n.\r\n");
    }

    @Test
    void missingFinalCrlfIsAdded() {
        assertThat(encode(true, "Subject: x\r\n\r\nbody")).isEqualTo("Subject: x\r\n\r\nbody\r\n.\r\n");
        assertThat(encode(false, "body")).isEqualTo("body\r\n");
    }

    @Test
    void emptyMessage() {
        assertThat(encode(true)).isEqualTo(".\r\n");
        assertThat(encode(false)).isEmpty();
    }

    @Test
    void bareLineEndsBecomeCrlfSoNoSmuggledEndOfData() {
        // A bare LF followed by ".": some servers read "\n.\n" as the end of data.
        assertThat(encode(true, "a\n.\nMAIL FROM:<x>\r\n")).isEqualTo("a\r\n..\r\nMAIL FROM:<x>\r\n.\r\n");
        assertThat(encode(true, "a\r.\rb")).isEqualTo("a\r\n..\r\nb\r\n.\r\n");
        assertThat(encode(false, "a\n\nb\r")).isEqualTo("a\r\n\r\nb\r\n");
    }

    @Test
    void stateCarriesAcrossBlocks() {
        assertThat(encode(true, "a\r", "\n.b", "\r", "\n", ".")).isEqualTo("a\r\n..b\r\n..\r\n.\r\n");
    }

    @Test
    void bdatIsNotDotStuffed() {
        assertThat(encode(false, ".x\r\n.\r\n")).isEqualTo(".x\r\n.\r\n");
    }

    @Test
    void worstCaseFitsMaxOutput() {
        String worst = "\n.".repeat(1000);
        DataEncoder e = new DataEncoder(true);
        byte[] in = worst.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[DataEncoder.maxOutput(in.length)];
        int n = e.encode(in, 0, in.length, out, 0);
        assertThat(e.finish(out, n)).isLessThanOrEqualTo(out.length);
    }

    @Test
    void eightBitOctetsPassUnchanged() {
        assertThat(encode(false, "caf\u00e9\r\n")).isEqualTo("caf\u00e9\r\n");
    }
}
