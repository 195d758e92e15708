package dev.postern.proxy.internal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Plain tests for what ProxyAttributesFuzzTest found (the inputs are in its corpus too). */
class AttributeFuzzFindingsTest {

    @Test
    void xforwardAddrOfTheIpv6PrefixAloneIsRefused() {
        assertThatThrownBy(() -> XforwardCommand.parse("ADDR=IPv6:"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Bad ADDR syntax: IPv6:");
        assertThatThrownBy(() -> XforwardCommand.parse("NAME=a ADDR=ipv6:"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
