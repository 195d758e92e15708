package dev.postern.proxy.internal;

import dev.postern.proxy.internal.XclientCommand.Attribute;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.Inet4Address;
import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class XclientCommandTest {

    static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @Test
    void postfixReadmeExample() throws Exception {
        XclientCommand x = XclientCommand.parse("NAME=spike.porcupine.org ADDR=168.100.189.2");
        assertThat(x.attributes()).containsExactlyInAnyOrder(Attribute.NAME, Attribute.ADDR);
        assertThat(x.name()).hasValue("spike.porcupine.org");
        assertThat(x.addr()).hasValue(ip("168.100.189.2"));
        assertThat(x.port()).isEmpty();
        assertThat(x.proto()).isEmpty();
        assertThat(x.helo()).isEmpty();
        assertThat(x.nameTemporarilyUnavailable()).isFalse();
    }

    @Test
    void everyAttribute() throws Exception {
        XclientCommand x = XclientCommand.parse("NAME=mail.example.com ADDR=IPV6:2001:db8::1 PORT=4711 PROTO=ESMTP"
                + " HELO=client.example.com LOGIN=alice DESTADDR=192.0.2.25 DESTPORT=587");
        assertThat(x.attributes()).containsExactlyInAnyOrder(Attribute.values());
        assertThat(x.name()).hasValue("mail.example.com");
        assertThat(x.addr()).hasValue(ip("2001:db8::1"));
        assertThat(x.port()).hasValue(4711);
        assertThat(x.proto()).hasValue(XclientCommand.Protocol.ESMTP);
        assertThat(x.helo()).hasValue("client.example.com");
        assertThat(x.login()).hasValue("alice");
        assertThat(x.destAddr()).hasValue(ip("192.0.2.25"));
        assertThat(x.destPort()).hasValue(587);
    }

    @Test
    void namesPrefixesAndKeywordsAreCaseInsensitive() throws Exception {
        XclientCommand x = XclientCommand.parse("addr=ipv6:2001:DB8::1 Proto=smtp destaddr=IPv6:::1");
        assertThat(x.addr()).hasValue(ip("2001:db8::1"));
        assertThat(x.proto()).hasValue(XclientCommand.Protocol.SMTP);
        assertThat(x.destAddr()).hasValue(ip("::1"));
    }

    @Test
    void ipv4MappedAddressIsGivenAsIpv4() {
        assertThat(XclientCommand.parse("ADDR=IPV6:::ffff:192.0.2.1").addr()).hasValueSatisfying(a ->
                assertThat(a).isInstanceOf(Inet4Address.class).hasToString("/192.0.2.1"));
    }

    @Test
    void unavailableValuesAreNamedButEmpty() {
        XclientCommand x = XclientCommand.parse("NAME=[UNAVAILABLE] ADDR=[unavailable] PORT=[Unavailable] HELO=[UNAVAILABLE] LOGIN=[UNAVAILABLE]");
        assertThat(x.attributes()).containsExactlyInAnyOrder(Attribute.NAME, Attribute.ADDR, Attribute.PORT, Attribute.HELO, Attribute.LOGIN);
        assertThat(x.name()).isEmpty();
        assertThat(x.addr()).isEmpty();
        assertThat(x.port()).isEmpty();
        assertThat(x.helo()).isEmpty();
        assertThat(x.login()).isEmpty();
        assertThat(x.nameTemporarilyUnavailable()).isFalse();
    }

    @Test
    void tempunavailNameIsRemembered() {
        XclientCommand x = XclientCommand.parse("NAME=[TEMPUNAVAIL] ADDR=192.0.2.1");
        assertThat(x.name()).isEmpty();
        assertThat(x.nameTemporarilyUnavailable()).isTrue();
        assertThat(x.attributes()).contains(Attribute.NAME);
    }

    @Test
    void valuesAreXtextDecoded() {
        XclientCommand x = XclientCommand.parse("LOGIN=alice+2Bbob+3Dx HELO=+5BIPv6:2001:db8::1+5D");
        assertThat(x.login()).hasValue("alice+bob=x");
        assertThat(x.helo()).hasValue("[IPv6:2001:db8::1]");
    }

    @Test
    void xtextOfUnavailableIsStillUnavailable() {
        assertThat(XclientCommand.parse("NAME=+5BUNAVAILABLE+5D").name()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "'' | needs at least one attribute",
            "'   ' | needs at least one attribute",
            "FOO=bar | Unknown XCLIENT attribute: FOO",
            "NAME | expected attribute=value",
            "=x | expected attribute=value",
            "NAME=x NAME=y | Duplicate XCLIENT attribute: NAME",
            "ADDR=1.2.3 | Bad ADDR syntax: 1.2.3",
            "ADDR=010.1.1.1 | Bad ADDR syntax",
            "ADDR=2001:db8::1 | Bad ADDR syntax",
            "ADDR=IPV6:1.2.3.4 | Bad ADDR syntax",
            "ADDR=mail.example.com | Bad ADDR syntax",
            "DESTADDR=[::1] | Bad DESTADDR syntax",
            "PORT=65536 | Bad PORT syntax",
            "PORT=-1 | Bad PORT syntax",
            "DESTPORT=abc | Bad DESTPORT syntax",
            "PROTO=LMTP | Bad PROTO syntax",
            "NAME=a+2 | two hex digits",
            "NAME=a+ZZ | two hex digits",
            "NAME=a=b | not allowed in xtext",
            "NAME= | value must be 1..255",
            "HELO=a+20b | control, space or non-ASCII",
            "HELO=x+0D+0AMAIL | control, space or non-ASCII",
            "LOGIN=caf+C3+A9 | control, space or non-ASCII",
    })
    void malformedArgumentsGiveA501Message(String arguments, String message) {
        assertThatThrownBy(() -> XclientCommand.parse(arguments)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\r", "\n"));
    }

    @Test
    void overlongValueIsRefused() {
        assertThat(XclientCommand.parse("NAME=" + "a".repeat(255)).name()).hasValueSatisfying(n -> assertThat(n).hasSize(255));
        assertThatThrownBy(() -> XclientCommand.parse("NAME=" + "a".repeat(256))).hasMessageContaining("1..255");
    }

    @Test
    void unprintableInputIsNotEchoed() {
        assertThatThrownBy(() -> XclientCommand.parse("N\u00c4ME=x")).hasMessage("Unknown XCLIENT attribute: (unprintable)");
    }
}
