package dev.postern.proxy.internal;

import dev.postern.proxy.internal.XforwardCommand.Attribute;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class XforwardCommandTest {

    @Test
    void postfixReadmeExample() throws Exception {
        XforwardCommand x = XforwardCommand.parse("NAME=spike.porcupine.org ADDR=168.100.189.2 PROTO=ESMTP");
        assertThat(x.attributes()).containsExactlyInAnyOrder(Attribute.NAME, Attribute.ADDR, Attribute.PROTO);
        assertThat(x.name()).hasValue("spike.porcupine.org");
        assertThat(x.addr()).hasValue("168.100.189.2");
        assertThat(x.inetAddress()).hasValue(InetAddress.getByName("168.100.189.2"));
        assertThat(x.proto()).hasValue("ESMTP");
        assertThat(x.helo()).isEmpty();
        assertThat(x.source()).isEmpty();
    }

    @Test
    void everyAttribute() throws Exception {
        XforwardCommand x = XforwardCommand.parse(
                "NAME=up.example ADDR=IPV6:2001:db8::7 PORT=2525 PROTO=SMTP HELO=up.example IDENT=4Q1xyz SOURCE=REMOTE");
        assertThat(x.attributes()).containsExactlyInAnyOrder(Attribute.values());
        assertThat(x.addr()).hasValue("2001:db8::7");
        assertThat(x.inetAddress()).hasValue(InetAddress.getByName("2001:db8::7"));
        assertThat(x.port()).hasValue(2525);
        assertThat(x.helo()).hasValue("up.example");
        assertThat(x.ident()).hasValue("4Q1xyz");
        assertThat(x.source()).hasValue(XforwardCommand.Source.REMOTE);
    }

    @Test
    void sourceIsCaseInsensitive() {
        assertThat(XforwardCommand.parse("source=local").source()).hasValue(XforwardCommand.Source.LOCAL);
    }

    @Test
    void addrMayBeANonIpAddress() {
        XforwardCommand x = XforwardCommand.parse("ADDR=uucp-gateway");
        assertThat(x.addr()).hasValue("uucp-gateway");
        assertThat(x.inetAddress()).isEmpty();
    }

    @Test
    void protoMayBeANonSmtpProtocolOfUpTo64Characters() {
        assertThat(XforwardCommand.parse("PROTO=HTTP").proto()).hasValue("HTTP");
        assertThat(XforwardCommand.parse("PROTO=" + "P".repeat(64)).proto()).isPresent();
        assertThatThrownBy(() -> XforwardCommand.parse("PROTO=" + "P".repeat(65))).hasMessageContaining("Bad PROTO syntax");
    }

    @Test
    void unavailableErasesAnAttribute() {
        XforwardCommand x = XforwardCommand.parse("ADDR=[UNAVAILABLE] SOURCE=[unavailable]");
        assertThat(x.attributes()).containsExactlyInAnyOrder(Attribute.ADDR, Attribute.SOURCE);
        assertThat(x.addr()).isEmpty();
        assertThat(x.inetAddress()).isEmpty();
        assertThat(x.source()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "'' | needs at least one attribute",
            "LOGIN=alice | Unknown XFORWARD attribute: LOGIN",
            "DESTADDR=192.0.2.1 | Unknown XFORWARD attribute: DESTADDR",
            "SOURCE=ELSEWHERE | Bad SOURCE syntax",
            "PORT=99999 | Bad PORT syntax",
            "IDENT=a+2 | two hex digits",
            "HELO=a+09b | control, space or non-ASCII",
            "HELO=a HELO=b | Duplicate XFORWARD attribute: HELO",
    })
    void malformedArgumentsGiveA501Message(String arguments, String message) {
        assertThatThrownBy(() -> XforwardCommand.parse(arguments)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }
}
