package dev.postern.proxy;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The PROXY records hooks read, at their edges: the SSL TLV's flags and verify field, TLV types, and
 * CIDR ranges written as IPv4-mapped IPv6 (which must mean the IPv4 range, or a trusted range would
 * silently match nothing, or everything).
 */
class ProxyRecordsEdgeTest {

    @Test
    void sslTlvFlagsAreSeparateBits() {
        for (int client = 0; client < 8; client++) {
            SslTlv ssl = new SslTlv(client, 0, List.of());
            assertThat(ssl.isSsl()).as("client %d", client).isEqualTo((client & 1) != 0);
            assertThat(ssl.hasCertificateOnConnection()).as("client %d", client).isEqualTo((client & 2) != 0);
            assertThat(ssl.hasCertificateInSession()).as("client %d", client).isEqualTo((client & 4) != 0);
        }
        assertThat(new SslTlv(0xff, 0, List.of()).isSsl()).isTrue();
        assertThat(new SslTlv(0xfe, 0, List.of()).isSsl()).isFalse();
        assertThatThrownBy(() -> new SslTlv(256, 0, List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SslTlv(-1, 0, List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sslTlvParsesTheVerifyFieldBigEndianAndEverySubTlv() {
        byte[] longSub = new byte[5 + 3 + 256];
        longSub[5] = 0x23;
        longSub[6] = 0x01; // a length of 256: the high byte counts
        longSub[7] = 0x00;
        assertThat(SslTlv.parse(longSub).subTlvs()).singleElement().satisfies(t -> assertThat(t.value()).hasSize(256));

        byte[] v = {0x05, (byte) 0x80, 0x00, 0x00, 0x01, 0x21, 0x00, 0x01, 'x', 0x22, 0x00, 0x00};
        SslTlv parsed = SslTlv.parse(v);
        assertThat(parsed.verify()).isEqualTo(0x80000001);
        assertThat(parsed.isVerified()).isFalse();
        assertThat(parsed.client()).isEqualTo(5);
        assertThat(parsed.subTlvs()).containsExactly(new Tlv(0x21, new byte[] {'x'}), new Tlv(0x22, new byte[0]));
        assertThat(SslTlv.parse(new byte[] {0x01, 0x01, 0x02, 0x03, 0x04}).verify()).isEqualTo(0x01020304);
        assertThat(SslTlv.parse(new byte[] {0x01, 0, 0, 0, 0}).isVerified()).isTrue();
        assertThatThrownBy(() -> SslTlv.parse(new byte[] {1, 0, 0, 0, 0, 0x21, 0x00})).hasMessageContaining("truncated SSL sub-TLV header at byte 5");
        assertThatThrownBy(() -> SslTlv.parse(new byte[] {1, 0, 0, 0, 0, 0x21, 0x00, 0x02, 'x'})).hasMessageContaining("overruns");
        assertThatThrownBy(() -> SslTlv.parse(new byte[] {1, 0, 0, 0})).hasMessageContaining("shorter than 5");
        assertThat(SslTlv.parse(new byte[] {1, 0, 0, 0, 0, 0x21, 0x00, 0x00}).subTlvs()).hasSize(1);
    }

    @Test
    void tlvTypesAreOneByteAndEqualityIsByTypeAndValue() {
        assertThat(new Tlv(0, new byte[0]).type()).isZero();
        assertThat(new Tlv(255, new byte[0]).type()).isEqualTo(255);
        assertThatThrownBy(() -> new Tlv(256, new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Tlv(-1, new byte[0])).isInstanceOf(IllegalArgumentException.class);
        Tlv a = new Tlv(0x21, new byte[] {1, 2});
        assertThat(a).isEqualTo(new Tlv(0x21, new byte[] {1, 2})).hasSameHashCodeAs(new Tlv(0x21, new byte[] {1, 2}));
        assertThat(a).isNotEqualTo(new Tlv(0x22, new byte[] {1, 2})).isNotEqualTo(new Tlv(0x21, new byte[] {1, 3}));
        assertThat(a.hashCode()).isNotEqualTo(new Tlv(0x22, new byte[] {1, 2}).hashCode())
                .isNotEqualTo(new Tlv(0x21, new byte[] {1, 3}).hashCode()).isNotEqualTo(new Tlv(0x20, new byte[] {1, 2}).hashCode());
        assertThat(a).hasToString("Tlv[0x21, 0102]");
    }

    @Test
    void trustedSourcesEqualityFollowsTheRanges() {
        TrustedSources a = TrustedSources.parse("10.0.0.0/8, 192.0.2.7");
        assertThat(a).isEqualTo(TrustedSources.parse("10.0.0.0/8,192.0.2.7")).hasSameHashCodeAs(TrustedSources.parse("10.0.0.0/8,192.0.2.7"));
        assertThat(a.hashCode()).isNotEqualTo(TrustedSources.parse("10.0.0.0/8").hashCode());
        assertThat(a).isNotEqualTo(TrustedSources.parse("10.0.0.0/8"));
    }

    /** ::ffff:a.b.c.d/96+n is the IPv4 range a.b.c.d/n; below /96 it stays an IPv6 range. */
    @Test
    void ipv4MappedRangesAreIpv4Ranges() throws Exception {
        CidrRange all = CidrRange.parse("::ffff:0.0.0.0/96");
        assertThat(all.isIpv4()).isTrue();
        assertThat(all).hasToString("0.0.0.0/0");
        assertThat(all.contains(InetAddress.getByName("203.0.113.9"))).isTrue();
        CidrRange net = CidrRange.parse("::ffff:192.0.2.0/120");
        assertThat(net).isEqualTo(CidrRange.parse("192.0.2.0/24"));
        assertThat(net.contains(InetAddress.getByName("192.0.2.200"))).isTrue();
        assertThat(net.contains(InetAddress.getByName("::ffff:192.0.2.200"))).isTrue();
        assertThat(net.contains(InetAddress.getByName("192.0.3.1"))).isFalse();
        CidrRange wider = CidrRange.parse("::ffff:0.0.0.0/95");
        assertThat(wider.isIpv4()).isFalse();
        assertThat(wider.contains(InetAddress.getByName("203.0.113.9"))).isFalse();
        assertThat(CidrRange.parse("::ffff:192.0.2.7").contains(InetAddress.getByName("192.0.2.7"))).isTrue();
        assertThat(CidrRange.parse("::ffff:192.0.2.7")).hasToString("192.0.2.7/32");
        for (String bad : new String[] {"/8", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/08", "mx.example.org"}) {
            assertThatThrownBy(() -> CidrRange.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(CidrRange.parse("10.0.0.0/32")).hasToString("10.0.0.0/32");
        assertThat(CidrRange.parse("::/128")).hasToString("0:0:0:0:0:0:0:0/128");
        assertThat(CidrRange.parse("0.0.0.0/0").contains(InetAddress.getByName("::1"))).isFalse();
    }
}
