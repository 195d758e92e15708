package dev.postern.proxy.internal;

import dev.postern.proxy.Tlv;
import dev.postern.testing.NettyDecoding;
import dev.postern.testing.V2Header;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.stream.Stream;

import static dev.postern.testing.NettyDecoding.nettyAccepts;
import static dev.postern.testing.ProxyHeaderSamples.AIOSMTPD_V2;
import static dev.postern.testing.ProxyHeaderSamples.SPEC_V1_EXAMPLE;
import static dev.postern.testing.ProxyHeaderSamples.everyTlv;
import static dev.postern.proxy.internal.ProxyHeaderValidator.NEED_MORE;
import static dev.postern.proxy.internal.ProxyHeaderValidator.NOT_PROXY;
import static dev.postern.proxy.internal.ProxyHeaderValidator.headerLength;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class ProxyHeaderValidatorTest {

    static ByteBuf ascii(String s) {
        return Unpooled.wrappedBuffer(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Nested
    class Framing {

        @Test
        void v1LineIsFramedUpToItsCrlfAndTheSmtpAfterItIsLeftAlone() {
            ByteBuf buf = ascii(SPEC_V1_EXAMPLE + "EHLO client.example\r\n");
            assertThat(headerLength(buf)).isEqualTo(SPEC_V1_EXAMPLE.length());
            assertThat(buf.readerIndex()).isZero();
        }

        @Test
        void framingStartsAtTheReaderIndex() {
            ByteBuf buf = ascii("xx" + SPEC_V1_EXAMPLE);
            buf.readerIndex(2);
            assertThat(headerLength(buf)).isEqualTo(SPEC_V1_EXAMPLE.length());
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "P", "PROX", "PROXY", "PROXY ", "PROXY TCP4 192.168.0.1 192.168", "PROXY UNKNOWN\r"})
        void partialV1NeedsMore(String partial) {
            assertThat(headerLength(ascii(partial))).isEqualTo(NEED_MORE);
        }

        @ParameterizedTest
        @ValueSource(strings = {"EHLO client.example\r\n", "HELO x\r\n", "PROXZ", "PROXYTCP4", "proxy TCP4", "GET / HTTP/1.1\r\n", "\u0016\u0003\u0001"})
        void bytesThatCannotStartAHeaderAreNotProxy(String start) {
            assertThat(headerLength(ascii(start))).isEqualTo(NOT_PROXY);
        }

        @Test
        void v1LineEndingInABareLfIsRefusedAtOnce() {
            assertThatThrownBy(() -> headerLength(ascii("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\n")))
                    .isInstanceOf(HAProxyProtocolException.class).hasMessageContaining("bare LF");
        }

        @Test
        void v1CrFollowedByAnythingButLfIsRefused() {
            assertThatThrownBy(() -> headerLength(ascii("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\rX\r\n")))
                    .isInstanceOf(HAProxyProtocolException.class).hasMessageContaining("CR not followed by LF");
        }

        @Test
        void v1LineOfExactly107BytesIsFramed() {
            String line = worstCaseUnknownLine();
            assertThat(line).hasSize(107);
            assertThat(headerLength(ascii(line))).isEqualTo(107);
        }

        @Test
        void v1LineOf108BytesIsRefused() {
            String line = "PROXY UNKNOWN " + "x".repeat(92) + "\r\n";
            assertThat(line).hasSize(108);
            assertThatThrownBy(() -> headerLength(ascii(line))).isInstanceOf(HAProxyProtocolException.class)
                    .hasMessageContaining("no CRLF within 107 bytes");
        }

        @Test
        void v1With107BytesAndNoCrlfIsRefusedButWith106ItWaits() {
            assertThatThrownBy(() -> headerLength(ascii("PROXY UNKNOWN " + "x".repeat(93))))
                    .isInstanceOf(HAProxyProtocolException.class);
            assertThat(headerLength(ascii("PROXY UNKNOWN " + "x".repeat(92)))).isEqualTo(NEED_MORE);
        }

        @Test
        void v2IsFramedBySixteenPlusItsLength() {
            byte[] header = V2Header.tcp4("192.0.2.1", 4711, "198.51.100.2", 25).tlv(Tlv.ALPN, "smtp").bytes();
            ByteBuf buf = Unpooled.wrappedBuffer(header, "EHLO x\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(headerLength(buf)).isEqualTo(16 + 12 + 7).isEqualTo(header.length);
        }

        @Test
        void partialV2NeedsMore() {
            byte[] header = V2Header.tcp4("192.0.2.1", 4711, "198.51.100.2", 25).bytes();
            for (int n : new int[] {1, 11, 12, 15, 16, header.length - 1}) {
                assertThat(headerLength(Unpooled.wrappedBuffer(header, 0, n))).as("first %d bytes", n).isEqualTo(NEED_MORE);
            }
        }

        @Test
        void v2SignatureWithAWrongByteIsNotProxyEvenBeforeItIsComplete() {
            byte[] sig = V2Header.SIGNATURE.clone();
            sig[7] = 'X';
            assertThat(headerLength(Unpooled.wrappedBuffer(sig, 0, 9))).isEqualTo(NOT_PROXY);
            assertThat(headerLength(Unpooled.wrappedBuffer(sig, 0, 7))).isEqualTo(NEED_MORE);
        }
    }

    static String worstCaseUnknownLine() {
        String six = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
        return "PROXY UNKNOWN " + six + " " + six + " 65535 65535\r\n";
    }

    @Nested
    class V1 {

        static Stream<String> goodLines() {
            String six = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
            return Stream.of(
                    SPEC_V1_EXAMPLE,
                    "PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535\r\n",
                    "PROXY TCP6 " + six + " " + six + " 65535 65535\r\n",
                    "PROXY TCP6 2001:db8::1 2001:db8::2 40000 25\r\n",
                    "PROXY TCP6 ::ffff:192.0.2.1 ::1 40000 25\r\n",
                    "PROXY UNKNOWN\r\n",
                    worstCaseUnknownLine());
        }

        @ParameterizedTest
        @MethodSource("goodLines")
        void goodLinesPassAndNettyDecodesThem(String line) {
            assertThat(ProxyHeaderValidator.checkV1(ascii(line))).isEmpty();
            assertThat(nettyAccepts(line.getBytes(StandardCharsets.US_ASCII))).isTrue();
        }

        @Test
        void portZeroIsValidPerSpecThoughNettyRefusesIt() {
            String line = "PROXY TCP4 192.0.2.1 192.0.2.2 0 25\r\n";
            assertThat(ProxyHeaderValidator.checkV1(ascii(line))).isEmpty();
            assertThat(nettyAccepts(line.getBytes(StandardCharsets.US_ASCII))).isFalse();
        }

        /** Malformed v1 lines: the reason we give, and whether Netty's decoder alone would let it through. */
        static Stream<Arguments> malformedLines() {
            return Stream.of(
                    arguments("over 107 bytes", "PROXY UNKNOWN " + "x".repeat(92) + "\r\n", "longer than 107", true),
                    arguments("no CRLF", "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\n", "does not end with CRLF", false),
                    arguments("IPv6 in TCP4", "PROXY TCP4 ::1 ::1 56324 443\r\n", "IPv6 address in a TCP4 header", false),
                    arguments("IPv4 in TCP6", "PROXY TCP6 192.168.0.1 192.168.0.11 56324 443\r\n", "IPv4 address in a TCP6 header", false),
                    arguments("leading zeros in octet", "PROXY TCP4 192.168.000.1 192.168.0.11 56324 443\r\n", "leading zero in IPv4", true),
                    arguments("octal-looking octet", "PROXY TCP4 010.0.0.1 192.168.0.11 56324 443\r\n", "leading zero in IPv4", true),
                    arguments("leading zero in port", "PROXY TCP4 192.168.0.1 192.168.0.11 056324 443\r\n", "leading zero in port", true),
                    arguments("leading zero in dest port", "PROXY TCP4 192.168.0.1 192.168.0.11 56324 0443\r\n", "leading zero in port", true),
                    arguments("signed port", "PROXY TCP4 192.168.0.1 192.168.0.11 +44 443\r\n", "bad port", true),
                    arguments("port over 65535", "PROXY TCP4 192.168.0.1 192.168.0.11 65536 443\r\n", "out of range", false),
                    arguments("negative port", "PROXY TCP4 192.168.0.1 192.168.0.11 -1 443\r\n", "bad port", false),
                    arguments("extra field", "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443 extra\r\n", "needs 6 fields", false),
                    arguments("missing field", "PROXY TCP4 192.168.0.1 192.168.0.11 56324\r\n", "needs 6 fields", false),
                    arguments("trailing space", "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443 \r\n", "exactly one space", true),
                    arguments("double space", "PROXY TCP4 192.168.0.1  192.168.0.11 56324 443\r\n", "exactly one space", false),
                    arguments("bracketed IPv6", "PROXY TCP6 [2001:db8::1] 2001:db8::2 56324 443\r\n", "bad IPv6", true),
                    arguments("IPv6 zone id", "PROXY TCP6 fe80::1%eth0 2001:db8::2 56324 443\r\n", "bad IPv6", true),
                    arguments("bad octet", "PROXY TCP4 256.1.1.1 192.168.0.11 56324 443\r\n", "bad IPv4", false),
                    arguments("lower-case protocol", "PROXY tcp4 192.168.0.1 192.168.0.11 56324 443\r\n", "TCP4, TCP6 or UNKNOWN", false),
                    arguments("UDP in v1", "PROXY UDP4 192.168.0.1 192.168.0.11 56324 443\r\n", "TCP4, TCP6 or UNKNOWN", false),
                    arguments("tab separator", "PROXY TCP4\t192.168.0.1 192.168.0.11 56324 443\r\n", "control or non-ASCII", false),
                    arguments("no protocol", "PROXY \r\n", "TCP4, TCP6 or UNKNOWN", false));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("malformedLines")
        void malformedLinesAreRefused(String name, String line, String reason, boolean nettyAloneAccepts) {
            assertThat(ProxyHeaderValidator.checkV1(ascii(line))).hasValueSatisfying(r -> assertThat(r).contains(reason));
            assertThat(ProxyHeaderValidator.check(ascii(line))).isPresent();
            assertThat(nettyAccepts(line.getBytes(StandardCharsets.ISO_8859_1)))
                    .as("Netty's decoder alone accepts '%s'", name).isEqualTo(nettyAloneAccepts);
        }

        @Test
        void unknownIgnoresWhateverFollows() {
            assertThat(ProxyHeaderValidator.checkV1(ascii("PROXY UNKNOWN whatever 1 2 3\r\n"))).isEmpty();
        }
    }

    @Nested
    class V2 {

        static Stream<Arguments> goodHeaders() {
            return Stream.of(
                    arguments("TCP4", V2Header.tcp4("192.0.2.1", 4711, "198.51.100.2", 25).bytes()),
                    arguments("TCP6", V2Header.tcp6("2001:db8::1", 4711, "2001:db8::25", 25).bytes()),
                    arguments("TCP4 with every TLV and CRC32C", everyTlv().crc32c().bytes()),
                    arguments("CRC32C first", V2Header.tcp4("192.0.2.1", 4711, "198.51.100.2", 25).crc32c().tlv(Tlv.ALPN, "smtp").bytes()),
                    arguments("aiosmtpd sample with CRC32C", AIOSMTPD_V2),
                    arguments("zero-length NOOP last", V2Header.tcp4("192.0.2.1", 4711, "198.51.100.2", 25).tlv(Tlv.NOOP, new byte[0]).bytes()),
                    arguments("LOCAL", V2Header.local().bytes()),
                    arguments("LOCAL with an address block", V2Header.local().family(0x11).address("10.0.0.1").address("10.0.0.2").port(1).port(2).bytes()),
                    arguments("PROXY UNSPEC", V2Header.proxy(0x00).bytes()),
                    arguments("UNIX stream", V2Header.proxy(0x31).raw(new byte[216]).bytes()),
                    arguments("UDP4", V2Header.proxy(0x12).address("192.0.2.1").address("192.0.2.2").port(53).port(53).bytes()),
                    arguments("UNIQUE_ID of 128 bytes", V2Header.tcp4("192.0.2.1", 1, "192.0.2.2", 2).tlv(Tlv.UNIQUE_ID, new byte[128]).bytes()));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("goodHeaders")
        void goodHeadersPassAndNettyDecodesThem(String name, byte[] header) {
            assertThat(headerLength(Unpooled.wrappedBuffer(header))).isEqualTo(header.length);
            assertThat(ProxyHeaderValidator.checkV2(Unpooled.wrappedBuffer(header))).isEmpty();
            assertThat(ProxyHeaderValidator.check(Unpooled.wrappedBuffer(header))).isEmpty();
            assertThat(nettyAccepts(header)).isTrue();
        }

        static byte[] withFlippedByte(byte[] header, int index) {
            byte[] copy = header.clone();
            copy[index] ^= 0x01;
            return copy;
        }

        static V2Header tcp4() {
            return V2Header.tcp4("192.0.2.1", 4711, "198.51.100.2", 25);
        }

        /** Malformed v2 headers our check refuses: the reason, and whether Netty's decoder alone accepts it. */
        static Stream<Arguments> refusedHere() {
            return Stream.of(
                    arguments("bad CRC32C", tcp4().tlv(Tlv.ALPN, "smtp").wrongCrc32c().bytes(), "bad CRC32C", true),
                    arguments("aiosmtpd sample, one AUTHORITY byte changed", withFlippedByte(AIOSMTPD_V2, 40), "bad CRC32C", true),
                    arguments("aiosmtpd sample, source port changed", withFlippedByte(AIOSMTPD_V2, 25), "bad CRC32C", true),
                    arguments("CRC32C of 3 bytes", tcp4().tlv(Tlv.CRC32C, new byte[3]).bytes(), "must be 4 bytes", true),
                    arguments("two CRC32C", tcp4().crc32c().tlv(Tlv.CRC32C, new byte[4]).bytes(), "more than one CRC32C", true),
                    arguments("TLV overrunning the header", tcp4().raw((byte) 0x01, (byte) 0, (byte) 10, (byte) 'h', (byte) '2').bytes(), "TLV 0x01 overruns header", false),
                    arguments("TLV length field cut short", tcp4().raw((byte) 0x01, (byte) 0).bytes(), "truncated TLV header", true),
                    arguments("one stray byte after the TLVs", tcp4().tlv(Tlv.ALPN, "smtp").raw((byte) 0).bytes(), "truncated TLV header", true),
                    arguments("SSL TLV shorter than 5", tcp4().tlv(Tlv.SSL, new byte[] {1, 0}).bytes(), "shorter than 5", false),
                    arguments("SSL sub-TLV overrun", tcp4().tlv(Tlv.SSL, V2Header.sslValue(1, 0, new byte[] {0x21, 0, 9, 'T'})).bytes(), "SSL sub-TLV 0x21 overruns", false),
                    arguments("SSL stray bytes", tcp4().tlv(Tlv.SSL, V2Header.sslValue(1, 0, new byte[] {0x21, 0})).bytes(), "truncated SSL sub-TLV", true),
                    arguments("UNIQUE_ID of 129 bytes", tcp4().tlv(Tlv.UNIQUE_ID, new byte[129]).bytes(), "longer than 128", true),
                    arguments("short IPv4 address block", V2Header.proxy(0x11).raw(new byte[10]).bytes(), "address block too short for family", false),
                    arguments("IPv6 family with an IPv4 block", V2Header.proxy(0x21).address("192.0.2.1").address("192.0.2.2").port(1).port(2).bytes(), "address block too short for family", false),
                    arguments("short UNIX address block", V2Header.proxy(0x31).raw(new byte[108]).bytes(), "address block too short for family", false),
                    arguments("bad signature", tcp4().signature(badSignature()).bytes(), "bad v2 signature", false));
        }

        static byte[] badSignature() {
            byte[] sig = V2Header.SIGNATURE.clone();
            sig[11] = 0x0B;
            return sig;
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("refusedHere")
        void malformedHeadersAreRefused(String name, byte[] header, String reason, boolean nettyAloneAccepts) {
            assertThat(ProxyHeaderValidator.checkV2(Unpooled.wrappedBuffer(header))).hasValueSatisfying(r -> assertThat(r).contains(reason));
            assertThat(nettyAccepts(header)).as("Netty's decoder alone accepts '%s'", name).isEqualTo(nettyAloneAccepts);
        }

        @Test
        void badSignatureIsNotEvenFramed() {
            assertThat(headerLength(Unpooled.wrappedBuffer(tcp4().signature(badSignature()).bytes()))).isEqualTo(NOT_PROXY);
        }

        /** Malformed headers we leave to Netty, which refuses them (see the class comment). */
        static Stream<Arguments> leftToNetty() {
            return Stream.of(
                    arguments("bad version 1", tcp4().versionCommand(0x11).bytes()),
                    arguments("bad version 3", tcp4().versionCommand(0x31).bytes()),
                    arguments("bad command 2", tcp4().versionCommand(0x22).bytes()),
                    arguments("bad family 4", tcp4().family(0x41).bytes()),
                    arguments("bad transport 3", tcp4().family(0x13).bytes()));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("leftToNetty")
        void nettyRefusesBadVersionCommandAndFamily(String name, byte[] header) {
            assertThat(headerLength(Unpooled.wrappedBuffer(header))).isEqualTo(header.length);
            assertThat(ProxyHeaderValidator.checkV2(Unpooled.wrappedBuffer(header))).isEmpty();
            assertThat(nettyAccepts(header)).isFalse();
        }

        @Test
        void headerWhoseSizeDisagreesWithItsLengthFieldIsRefused() {
            byte[] header = tcp4().declaredLength(11).bytes();
            assertThat(ProxyHeaderValidator.checkV2(Unpooled.wrappedBuffer(header))).hasValueSatisfying(r -> assertThat(r).contains("declares 27"));
            assertThat(ProxyHeaderValidator.checkV2(Unpooled.wrappedBuffer(header, 0, 10))).hasValueSatisfying(r -> assertThat(r).contains("shorter than 16"));
        }

        @Test
        void tlvsOfALocalHeaderAreNotChecked() {
            byte[] header = V2Header.local().raw((byte) 0x03, (byte) 0, (byte) 4, (byte) 1, (byte) 2, (byte) 3, (byte) 4).bytes();
            assertThat(ProxyHeaderValidator.checkV2(Unpooled.wrappedBuffer(header))).isEmpty();
        }

        @Test
        void checkingDoesNotMoveTheReaderIndexNorChangeTheBytes() {
            byte[] header = everyTlv().crc32c().bytes();
            ByteBuf buf = Unpooled.wrappedBuffer(header.clone());
            assertThat(ProxyHeaderValidator.check(buf)).isEmpty();
            assertThat(buf.readerIndex()).isZero();
            assertThat(io.netty.buffer.ByteBufUtil.getBytes(buf)).isEqualTo(header);
        }
    }
}
