package dev.postern.relay.socks;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Plain tests for what SocksProxyParserFuzzTest found (the inputs are in its corpus too). */
class SocksFuzzFindingsTest {

    @Test
    void aPasswordGluedToTheAddressIsNotShownInTheError() {
        assertThatThrownBy(() -> SocksProxyParser.parse("10.0.1.11pass=s3cr3t-word auth=name name=relay"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("(not shown: the list holds a password) is not an IP address")
                .hasMessageNotContaining("s3cr3t-word");
    }

    @Test
    void aPasswordGluedToAnOptionValueIsNotShownInTheError() {
        assertThatThrownBy(() -> SocksProxyParser.parse("10.0.1.10 port=13pass=s3cr3t-word"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("port must be a whole number")
                .hasMessageNotContaining("s3cr3t-word");
        assertThatThrownBy(() -> SocksProxyParser.parse("10.0.1.10 auth=xpass=s3cr3t-word"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("s3cr3t-word");
    }

    @Test
    void aPasswordInsideAnIpv6ZoneIdIsNotShownInTheError() {
        // NetUtil takes anything after '%' as a zone id; the record's own message quotes the address
        assertThatThrownBy(() -> SocksProxyParser.parse("<; ::9%zonepass=s3cr3t-word name=u"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("s3cr3t-word");
    }
}
