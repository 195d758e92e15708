package dev.postern.protocol;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Address literals in a path's domain (RFC 5321 4.1.3): IPv4, the IPv6 forms, and the general form. */
class AddressLiteralsTest {

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "255.255.255.255", "192.0.2.1", "10.0.0.255",
            "IPv6:::", "IPv6:::1", "IPv6:1::", "ipv6:2001:db8::1", "IPv6:1:2:3:4:5:6:7:8", "IPv6:1:2:3:4:5:6:7::",
            "IPv6:::2:3:4:5:6:7:8", "IPv6:ABCD:ef01::", "IPv6:0:0:0:0:0:0:0:0",
            "IPv6:::ffff:1.2.3.4", "IPv6:1:2:3:4:5:6:1.2.3.4", "IPv6:1::1.2.3.4", "IPv6:1:2:3:4:5::1.2.3.4",
            "IPv6:0000:0000:0000:0000:0000:ffff:255.255.255.255", // 45 characters, the longest form
            "tag:content", "x-y:abc", "Tag9:!", "t:Z", "t:^", "t:~", "t:a-b.c"})
    void valid(String literal) {
        assertThat(AddressLiterals.isValid(literal)).as(literal).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "256.0.0.0", "1.2.3.256", "1.2.3", "1.2.3.4.5", "1..3.4", "1.2.3.0004", "1.2.3.-4", "1.2.3.4 ",
            "1.2.3.", "1tag:x",
            "IPv6:", "IPv6:1:2:3:4:5:6:7", "IPv6:1:2:3:4:5:6:7:8:9", "IPv6:1::2::3", "IPv6:::1::2", "IPv6::1:2:3:4:5:6:7",
            "IPv6:1:2:3:4:5:6:7:", "IPv6:12345::", "IPv6:g::", "IPv6:1:2:3:4:5:6:7:8::", "IPv6:::1.2.3.256", "IPv6:::1.2.3",
            "IPv6:1:2:3:4:5:6:7:1.2.3.4", "IPv6:1:2:3:4:5:1.2.3.4", "IPv6:1.2.3.4", "IPv6:1:2:3:4:5:6:7:8:1.2.3.4",
            "IPv6:0000:0000:0000:0000:0000:ffff:255.255.255.2555", "IPv6:1:2:3:4:5:6:7:8 ",
            ":abc", "tag:", "ta g:x", "t\u00e4:x", "t_g:x", "tag:a[b", "tag:a\\b", "tag:a]b", "tag:a b", "tag:\u007f", "tag:\u0080",
            "tag"})
    void invalid(String literal) {
        assertThat(AddressLiterals.isValid(literal)).as(literal).isFalse();
    }
}
