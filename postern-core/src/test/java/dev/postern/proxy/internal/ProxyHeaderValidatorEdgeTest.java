package dev.postern.proxy.internal;

import dev.postern.proxy.Tlv;
import dev.postern.testing.V2Header;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static dev.postern.testing.ProxyHeaderSamples.everyTlv;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The validator's edges that ProxyHeaderValidatorTest leaves: both addresses of a v1 line are checked
 * (not only the source), the smallest lines, an empty last SSL sub-TLV, and buffers whose reader index is
 * not 0 (the checks work on the header wherever it sits, and report offsets from its start).
 */
class ProxyHeaderValidatorEdgeTest {

    private static ByteBuf ascii(String s) {
        return Unpooled.wrappedBuffer(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** {@code header} behind {@code junk} bytes that the reader index skips. */
    private static ByteBuf behind(int junk, byte[] header) {
        ByteBuf buf = Unpooled.buffer(junk + header.length);
        buf.writeBytes(new byte[junk]).writeBytes(header);
        buf.readerIndex(junk);
        return buf;
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "PROXY TCP4 192.0.2.1 010.0.0.1 1000 25\r\n",
            "PROXY TCP4 192.0.2.1 10.0.0.256 1000 25\r\n",
            "PROXY TCP4 192.0.2.1 ::1 1000 25\r\n",
            "PROXY TCP6 2001:db8::1 fe80::1%eth0 1000 25\r\n",
            "PROXY TCP6 2001:db8::1 192.0.2.1 1000 25\r\n"})
    void theDestinationAddressIsCheckedLikeTheSource(String line) {
        assertThat(ProxyHeaderValidator.checkV1(ascii(line))).isPresent();
        assertThat(ProxyHeaderValidator.check(ascii(line))).isPresent();
    }

    @Test
    void theSmallestLinesAreRefusedForWhatTheyLack() {
        assertThat(ProxyHeaderValidator.checkV1(ascii("\r\n"))).hasValueSatisfying(r -> assertThat(r).contains("does not start with 'PROXY '"));
        assertThat(ProxyHeaderValidator.checkV1(ascii("PROXY\r\n"))).hasValueSatisfying(r -> assertThat(r).contains("does not start with 'PROXY '"));
        assertThat(ProxyHeaderValidator.checkV1(ascii("PROXX TCP4 192.0.2.1 10.0.0.1 1000 25\r\n")))
                .hasValueSatisfying(r -> assertThat(r).contains("does not start with 'PROXY '"));
        assertThat(ProxyHeaderValidator.checkV1(ascii("\n"))).hasValueSatisfying(r -> assertThat(r).contains("does not end with CRLF"));
        assertThat(ProxyHeaderValidator.checkV1(ascii(""))).hasValueSatisfying(r -> assertThat(r).contains("does not end with CRLF"));
    }

    /** A v1 line is printable ASCII, 0x20 to 0x7E, up to its CRLF (UNKNOWN lets anything printable follow). */
    @Test
    void aV1LineIsPrintableAsciiFromSpaceToTilde() {
        assertThat(ProxyHeaderValidator.checkV1(ascii("PROXY UNKNOWN ~ !\r\n"))).isEmpty();
        for (char c : new char[] {0x7f, 0x1f, 0x00, 0x80, 0xff}) {
            assertThat(ProxyHeaderValidator.checkV1(ascii("PROXY UNKNOWN a" + c + "b\r\n"))).as("0x%02X", (int) c)
                    .hasValueSatisfying(r -> assertThat(r).contains(String.format("control or non-ASCII byte 0x%02X at 15", (int) c)));
        }
    }

    @Test
    void anSslTlvMayEndWithAnEmptySubTlv() {
        byte[] header = V2Header.tcp4("192.0.2.1", 1, "192.0.2.2", 2)
                .tlv(Tlv.SSL, V2Header.sslValue(0x01, 0, V2Header.subTlv(0x21, "TLSv1.3"), V2Header.subTlv(0x22, ""))).bytes();
        assertThat(ProxyHeaderValidator.checkV2(Unpooled.wrappedBuffer(header))).isEmpty();
        byte[] onlyEmpty = V2Header.tcp4("192.0.2.1", 1, "192.0.2.2", 2)
                .tlv(Tlv.SSL, V2Header.sslValue(0x01, 0, V2Header.subTlv(0x22, ""))).bytes();
        assertThat(ProxyHeaderValidator.checkV2(Unpooled.wrappedBuffer(onlyEmpty))).isEmpty();
    }

    @Test
    void aHeaderBehindOtherBytesIsCheckedTheSame() {
        byte[] good = everyTlv().crc32c().bytes();
        ByteBuf buf = behind(7, good);
        assertThat(ProxyHeaderValidator.headerLength(buf)).isEqualTo(good.length);
        assertThat(ProxyHeaderValidator.check(buf)).isEmpty();
        assertThat(buf.readerIndex()).isEqualTo(7);

        assertThat(reasonBehind(everyTlv().wrongCrc32c().bytes())).contains("bad CRC32C");
        byte[] stray = V2Header.tcp4("192.0.2.1", 1, "192.0.2.2", 2).tlv(Tlv.ALPN, "smtp").raw((byte) 0).bytes();
        assertThat(reasonBehind(stray)).contains("truncated TLV header at byte " + (stray.length - 1));
        assertThat(reasonBehind(V2Header.tcp4("192.0.2.1", 1, "192.0.2.2", 2).tlv(Tlv.SSL, new byte[] {1, 0}).bytes()))
                .contains("SSL TLV shorter than 5 bytes: 2");
        assertThat(reasonBehind(V2Header.proxy(0x11).raw(new byte[10]).bytes()))
                .contains("address block too short for family: 10 bytes, needs 12");
        assertThat(ProxyHeaderValidator.check(behind(3, "PROXY TCP4 192.0.2.1 10.0.0.1 1000 25\r\n".getBytes(StandardCharsets.US_ASCII))))
                .isEmpty();
    }

    /** The reason for {@code header}, which must be the same at reader index 0 and behind other bytes. */
    private static String reasonBehind(byte[] header) {
        Optional<String> atZero = ProxyHeaderValidator.check(Unpooled.wrappedBuffer(header));
        Optional<String> behind = ProxyHeaderValidator.check(behind(5, header));
        assertThat(behind).isEqualTo(atZero).isPresent();
        return behind.orElseThrow();
    }
}
