package dev.postern.proxy;

import dev.postern.testing.ProxyHeaderSamples;
import dev.postern.testing.NettyDecoding;
import dev.postern.testing.V2Header;
import dev.postern.proxy.internal.NettyProxyMessages;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static dev.postern.testing.NettyDecoding.decode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProxyInfoTest {

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static InetSocketAddress at(String literal, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(literal), port);
    }

    @Test
    void v1Tcp4FromTheSpec() throws Exception {
        ProxyInfo info = decode(ascii(ProxyHeaderSamples.SPEC_V1_EXAMPLE));
        assertThat(info.version()).isEqualTo(1);
        assertThat(info.command()).isEqualTo(ProxyInfo.Command.PROXY);
        assertThat(info.transport()).isEqualTo(ProxyInfo.Transport.TCP4);
        assertThat(info.source()).isEqualTo(at("192.168.0.1", 56324));
        assertThat(info.destination()).isEqualTo(at("192.168.0.11", 443));
        assertThat(info.hasClientAddress()).isTrue();
        assertThat(info.tlvs()).isEmpty();
        assertThat(info.ssl()).isEmpty();
    }

    @Test
    void v1Tcp6() throws Exception {
        ProxyInfo info = decode(ascii("PROXY TCP6 2001:db8::1 2001:db8::25 40000 25\r\n"));
        assertThat(info.transport()).isEqualTo(ProxyInfo.Transport.TCP6);
        assertThat(info.source().getAddress()).isInstanceOf(Inet6Address.class);
        assertThat(info.source()).isEqualTo(at("2001:db8::1", 40000));
        assertThat(info.destination()).isEqualTo(at("2001:db8::25", 25));
    }

    @Test
    void v1Tcp6WithAnIpv4MappedClientGivesTheIpv4Address() throws Exception {
        ProxyInfo info = decode(ascii("PROXY TCP6 ::ffff:192.0.2.1 ::1 40000 25\r\n"));
        assertThat(info.source().getAddress()).isInstanceOf(Inet4Address.class);
        assertThat(info.source()).isEqualTo(at("192.0.2.1", 40000));
    }

    @Test
    void v1UnknownHasNoAddresses() {
        ProxyInfo info = decode(ascii("PROXY UNKNOWN\r\n"));
        assertThat(info.version()).isEqualTo(1);
        assertThat(info.transport()).isEqualTo(ProxyInfo.Transport.UNKNOWN);
        assertThat(info.source()).isNull();
        assertThat(info.destination()).isNull();
        assertThat(info.hasClientAddress()).isFalse();
    }

    @Test
    void v2Tcp4WithEveryKindOfTlv() throws Exception {
        ProxyInfo info = decode(ProxyHeaderSamples.everyTlv().crc32c().bytes());
        assertThat(info.version()).isEqualTo(2);
        assertThat(info.command()).isEqualTo(ProxyInfo.Command.PROXY);
        assertThat(info.transport()).isEqualTo(ProxyInfo.Transport.TCP4);
        assertThat(info.source()).isEqualTo(at("192.0.2.1", 4711));
        assertThat(info.destination()).isEqualTo(at("198.51.100.2", 25));
        assertThat(info.alpn()).hasValue("smtp");
        assertThat(info.authority()).hasValue("mx.example.com");
        assertThat(info.uniqueId()).hasValueSatisfying(id -> assertThat(id).containsExactly(1, 2, 3, 4));
        assertThat(info.netns()).hasValue("blue");
        assertThat(info.tlv(0xE0)).containsExactly(new Tlv(0xE0, "tenant-42".getBytes(StandardCharsets.US_ASCII)));
        assertThat(info.tlv(Tlv.CRC32C)).hasSize(1);
        assertThat(info.tlv(0xE1)).isEmpty();

        SslTlv ssl = info.ssl().orElseThrow();
        assertThat(ssl.isSsl()).isTrue();
        assertThat(ssl.hasCertificateOnConnection()).isTrue();
        assertThat(ssl.hasCertificateInSession()).isTrue();
        assertThat(ssl.isVerified()).isTrue();
        assertThat(ssl.version()).hasValue("TLSv1.3");
        assertThat(ssl.commonName()).hasValue("client.example");
        assertThat(ssl.cipher()).hasValue("TLS_AES_256_GCM_SHA384");
        assertThat(ssl.signatureAlgorithm()).hasValue("RSA-SHA256");
        assertThat(ssl.keyAlgorithm()).hasValue("RSA2048");
    }

    @Test
    void sslSubTlvsAppearOnlyInsideTheSslEntryNotFlattenedAsNettyListsThem() {
        ProxyInfo info = decode(ProxyHeaderSamples.everyTlv().crc32c().bytes());
        assertThat(info.tlvs()).extracting(Tlv::type)
                .containsExactly(Tlv.ALPN, Tlv.AUTHORITY, Tlv.UNIQUE_ID, Tlv.SSL, Tlv.NETNS, 0xE0, Tlv.CRC32C);
        assertThat(info.tlv(SslTlv.SUBTYPE_VERSION)).isEmpty();
    }

    @Test
    void sslSubTlvWithAnAlpnTypeDoesNotMasqueradeAsTopLevelAlpn() {
        byte[] header = V2Header.tcp4("192.0.2.1", 1, "192.0.2.2", 2)
                .tlv(Tlv.SSL, V2Header.sslValue(0x01, 0, V2Header.subTlv(Tlv.ALPN, "h2"))).bytes();
        ProxyInfo info = decode(header);
        assertThat(info.alpn()).isEmpty();
        assertThat(info.ssl().orElseThrow().subTlvs()).containsExactly(new Tlv(Tlv.ALPN, "h2".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void sslFlagsAndVerifyResult() {
        byte[] header = V2Header.tcp4("192.0.2.1", 1, "192.0.2.2", 2)
                .tlv(Tlv.SSL, V2Header.sslValue(SslTlv.CLIENT_SSL | SslTlv.CLIENT_CERT_SESS, 18)).bytes();
        SslTlv ssl = decode(header).ssl().orElseThrow();
        assertThat(ssl.client()).isEqualTo(0x05);
        assertThat(ssl.isSsl()).isTrue();
        assertThat(ssl.hasCertificateOnConnection()).isFalse();
        assertThat(ssl.hasCertificateInSession()).isTrue();
        assertThat(ssl.verify()).isEqualTo(18);
        assertThat(ssl.isVerified()).isFalse();
        assertThat(ssl.subTlvs()).isEmpty();
        assertThat(ssl.version()).isEmpty();
    }

    @Test
    void aiosmtpdSample() throws Exception {
        ProxyInfo info = decode(ProxyHeaderSamples.AIOSMTPD_V2);
        assertThat(info.source()).isEqualTo(at("127.0.0.1", 45138));
        assertThat(info.destination()).isEqualTo(at("127.0.0.1", 0x62A5));
        assertThat(info.authority()).hasValue("AUTHORITY");
        assertThat(info.uniqueId()).hasValueSatisfying(id -> assertThat(new String(id, StandardCharsets.US_ASCII)).isEqualTo("UNIQUE_ID"));
        SslTlv ssl = info.ssl().orElseThrow();
        assertThat(ssl.isSsl()).isTrue();
        assertThat(ssl.isVerified()).isTrue();
        assertThat(ssl.version()).hasValue("TLSv1.2");
        assertThat(ssl.keyAlgorithm()).hasValue("RSA4096");
        assertThat(ssl.signatureAlgorithm()).hasValue("RSA-SHA256");
        assertThat(ssl.cipher()).hasValue("ECDHE-RSA-AES256-GCM-SHA384");
        assertThat(ssl.commonName()).isEmpty();
    }

    @Test
    void v2Tcp6() throws Exception {
        ProxyInfo info = decode(V2Header.tcp6("2001:db8::1", 4711, "2001:db8::25", 587).tlv(Tlv.ALPN, "smtp").bytes());
        assertThat(info.transport()).isEqualTo(ProxyInfo.Transport.TCP6);
        assertThat(info.source()).isEqualTo(at("2001:db8::1", 4711));
        assertThat(info.destination()).isEqualTo(at("2001:db8::25", 587));
        assertThat(info.alpn()).hasValue("smtp");
    }

    @Test
    void v2LocalIsAHealthCheckWithoutAddresses() {
        ProxyInfo info = decode(V2Header.local().bytes());
        assertThat(info.version()).isEqualTo(2);
        assertThat(info.command()).isEqualTo(ProxyInfo.Command.LOCAL);
        assertThat(info.source()).isNull();
        assertThat(info.hasClientAddress()).isFalse();
    }

    @Test
    void v2UnspecAndUnixHaveNoInetAddresses() {
        assertThat(decode(V2Header.proxy(0x00).bytes()).transport()).isEqualTo(ProxyInfo.Transport.UNKNOWN);
        ProxyInfo unix = decode(V2Header.proxy(0x31).raw(new byte[216]).bytes());
        assertThat(unix.transport()).isEqualTo(ProxyInfo.Transport.UNIX_STREAM);
        assertThat(unix.source()).isNull();
    }

    @Test
    void fromCopiesSoTheMessageCanBeReleased() throws Exception {
        HAProxyMessage msg = new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.PROXY, HAProxyProxiedProtocol.TCP4,
                "192.0.2.1", "192.0.2.2", 1000, 25,
                List.of(new io.netty.handler.codec.haproxy.HAProxyTLV((byte) 0xE5,
                        io.netty.buffer.Unpooled.copiedBuffer("x", StandardCharsets.US_ASCII))));
        ProxyInfo info = NettyProxyMessages.toProxyInfo(msg);
        assertThat(msg.release()).isTrue();
        assertThat(info.tlv(0xE5)).containsExactly(new Tlv(0xE5, new byte[] {'x'}));
        assertThat(info.source()).isEqualTo(at("192.0.2.1", 1000));
    }

    @Test
    void constructorRefusesInconsistentValues() throws Exception {
        InetSocketAddress a = at("192.0.2.1", 1);
        assertThatThrownBy(() -> new ProxyInfo(3, ProxyInfo.Command.PROXY, ProxyInfo.Transport.TCP4, a, a, List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 or 2");
        assertThatThrownBy(() -> new ProxyInfo(2, ProxyInfo.Command.PROXY, ProxyInfo.Transport.TCP4, a, null, List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("both");
    }

    @Test
    void tlvIsImmutableAndComparesByContent() {
        byte[] value = {1, 2};
        Tlv tlv = new Tlv(0xE0, value);
        value[0] = 9;
        tlv.value()[1] = 9;
        assertThat(tlv.value()).containsExactly(1, 2);
        assertThat(tlv).isEqualTo(new Tlv(0xE0, new byte[] {1, 2})).hasSameHashCodeAs(new Tlv(0xE0, new byte[] {1, 2}));
        assertThat(tlv).isNotEqualTo(new Tlv(0xE1, new byte[] {1, 2}));
        assertThat(tlv.toString()).isEqualTo("Tlv[0xE0, 0102]");
        assertThatThrownBy(() -> new Tlv(256, new byte[0])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void malformedSslValueIsRefusedWhenRead() {
        ProxyInfo info = new ProxyInfo(2, ProxyInfo.Command.LOCAL, ProxyInfo.Transport.UNKNOWN, null, null,
                List.of(new Tlv(Tlv.SSL, new byte[] {1, 0, 0, 0, 0, 0x21, 0, 5, 'T'})));
        assertThatThrownBy(info::ssl).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overruns");
    }
}
