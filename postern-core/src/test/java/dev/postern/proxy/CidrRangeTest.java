package dev.postern.proxy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.Inet6Address;
import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CidrRangeTest {

    static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @ParameterizedTest
    @CsvSource({
            "10.0.0.0/8, 10.0.0.0, true",
            "10.0.0.0/8, 10.255.255.255, true",
            "10.0.0.0/8, 11.0.0.0, false",
            "10.0.0.0/8, 9.255.255.255, false",
            "192.168.1.0/25, 192.168.1.127, true",
            "192.168.1.0/25, 192.168.1.128, false",
            "192.0.2.1, 192.0.2.1, true",
            "192.0.2.1, 192.0.2.2, false",
            "0.0.0.0/0, 203.0.113.9, true",
            "0.0.0.0/0, ::1, false",
            "::1, ::1, true",
            "::1, ::2, false",
            "2001:db8::/32, 2001:db8:ffff::1, true",
            "2001:db8::/32, 2001:db9::, false",
            "::/0, 2001:db8::1, true",
            "::/0, 192.0.2.1, false",
    })
    void contains(String range, String address, boolean expected) throws Exception {
        assertThat(CidrRange.parse(range).contains(ip(address))).isEqualTo(expected);
    }

    @Test
    void bareAddressIsASingleHost() {
        assertThat(CidrRange.parse("192.0.2.1").prefixLength()).isEqualTo(32);
        assertThat(CidrRange.parse("::1").prefixLength()).isEqualTo(128);
        assertThat(CidrRange.parse("::1").isIpv4()).isFalse();
        assertThat(CidrRange.parse("192.0.2.1").isIpv4()).isTrue();
    }

    @Test
    void hostBitsAreClearedSoEquivalentRangesAreEqual() {
        CidrRange range = CidrRange.parse("10.1.2.3/8");
        assertThat(range).isEqualTo(CidrRange.parse("10.0.0.0/8"));
        assertThat(range.toString()).isEqualTo("10.0.0.0/8");
        assertThat(CidrRange.parse("2001:db8::1/32").toString()).isEqualTo("2001:db8:0:0:0:0:0:0/32");
        assertThat(CidrRange.parse("192.168.1.200/25").toString()).isEqualTo("192.168.1.128/25");
    }

    @Test
    void ipv4MappedIpv6AddressMatchesIpv4Ranges() throws Exception {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 1, 2, 3};
        InetAddress dualStackPeer = Inet6Address.getByAddress(null, mapped, -1);
        assertThat(dualStackPeer).isInstanceOf(Inet6Address.class);
        assertThat(CidrRange.parse("10.0.0.0/8").contains(dualStackPeer)).isTrue();
        assertThat(CidrRange.parse("11.0.0.0/8").contains(dualStackPeer)).isFalse();
    }

    @Test
    void rangeWrittenInTheMappedFormIsTheIpv4Range() {
        assertThat(CidrRange.parse("::ffff:10.0.0.0/104")).isEqualTo(CidrRange.parse("10.0.0.0/8"));
        assertThat(CidrRange.parse("::ffff:192.0.2.1")).isEqualTo(CidrRange.parse("192.0.2.1/32"));
    }

    @Test
    void ipv6NetworkInTheMappedRangeStaysIpv6WhenThePrefixIsShort() {
        CidrRange range = CidrRange.parse("::ffff:0:0/80");
        assertThat(range.isIpv4()).isFalse();
        assertThat(range.prefixLength()).isEqualTo(80);
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/", "10.0.0.0/08", "10.0.0.0/8/9", "10.0.0.0/x"})
    void badPrefixLengthIsRefused(String text) {
        assertThatThrownBy(() -> CidrRange.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("prefix length");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10.0.0", "256.0.0.1", "010.0.0.1", "mail.example.com", "localhost", "[::1]", "fe80::1%eth0", "/8", "1.2.3.4.5", "*", "10.0.0.0 /8"})
    void garbageIsRefusedWithoutDnsLookup(String text) {
        assertThatThrownBy(() -> CidrRange.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not an IP address or CIDR range");
    }

    @Test
    void constructorChecksThePrefixForTheFamily() throws Exception {
        assertThatThrownBy(() -> new CidrRange(ip("10.0.0.0"), 33)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0..32");
        assertThat(new CidrRange(ip("2001:db8::"), 33).prefixLength()).isEqualTo(33);
    }
}
