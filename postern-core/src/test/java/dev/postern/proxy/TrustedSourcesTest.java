package dev.postern.proxy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrustedSourcesTest {

    static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @Test
    void listOfRangesAndBareAddresses() throws Exception {
        TrustedSources trusted = TrustedSources.parse("127.0.0.1/32,::1");
        assertThat(trusted.matches(ip("127.0.0.1"))).isTrue();
        assertThat(trusted.matches(ip("::1"))).isTrue();
        assertThat(trusted.matches(ip("127.0.0.2"))).isFalse();
        assertThat(trusted.matches(ip("::2"))).isFalse();
        assertThat(trusted.isWildcard()).isFalse();
        assertThat(trusted.ranges()).containsExactly(CidrRange.parse("127.0.0.1/32"), CidrRange.parse("::1/128"));
    }

    @Test
    void blanksAroundElementsAreIgnored() throws Exception {
        TrustedSources trusted = TrustedSources.parse(" 10.0.0.0/8 , 192.0.2.7 ");
        assertThat(trusted.matches(ip("10.9.9.9"))).isTrue();
        assertThat(trusted.matches(ip("192.0.2.7"))).isTrue();
        assertThat(trusted.matches(ip("192.0.2.8"))).isFalse();
        assertThat(trusted.toString()).isEqualTo("10.0.0.0/8,192.0.2.7/32");
    }

    @Test
    void starTrustsEveryoneAndSaysSo() throws Exception {
        TrustedSources any = TrustedSources.parse(" * ");
        assertThat(any.isWildcard()).isTrue();
        assertThat(any.matches(ip("203.0.113.50"))).isTrue();
        assertThat(any.matches(ip("2001:db8::99"))).isTrue();
        assertThat(any.toString()).isEqualTo("*");
    }

    @Test
    void allAddressesRangeIsNotTheWildcard() throws Exception {
        TrustedSources all4 = TrustedSources.parse("0.0.0.0/0");
        assertThat(all4.isWildcard()).isFalse();
        assertThat(all4.matches(ip("203.0.113.50"))).isTrue();
        assertThat(all4.matches(ip("2001:db8::99"))).isFalse();
    }

    @Test
    void noneTrustsNoOne() throws Exception {
        assertThat(TrustedSources.NONE.matches(ip("127.0.0.1"))).isFalse();
        assertThat(TrustedSources.NONE.isWildcard()).isFalse();
        assertThat(TrustedSources.parse("  ")).isEqualTo(TrustedSources.NONE);
        assertThat(TrustedSources.of(List.of())).isSameAs(TrustedSources.NONE);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "*,10.0.0.1 | '*' must stand alone",
            "10.0.0.1,* | '*' must stand alone",
            "10.0.0.1,,10.0.0.2 | empty element",
            "10.0.0.1, | empty element",
            "10.0.0.0/40 | prefix length",
            "proxy.example.com | not an IP address",
    })
    void malformedListsAreRefusedWithAClearMessage(String text, String message) {
        assertThatThrownBy(() -> TrustedSources.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void equalityFollowsContent() {
        assertThat(TrustedSources.parse("10.0.0.0/8")).isEqualTo(TrustedSources.parse("10.1.1.1/8"))
                .hasSameHashCodeAs(TrustedSources.parse("10.1.1.1/8"));
        assertThat(TrustedSources.parse("*")).isNotEqualTo(TrustedSources.NONE);
    }
}
