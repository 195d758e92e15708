package dev.postern.protocol;

import dev.postern.SmtpHandler;
import dev.postern.proxy.TrustedSources;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/** XCLIENT and XFORWARD in the state machine; the harness's client is 127.0.0.9. */
class ProxyCommandsTest {

    private static final TrustedSources HARNESS_CLIENT = TrustedSources.parse("127.0.0.9");

    @Test
    void xclientFromAnAuthorizedClientStartsTheSessionOverAsTheNamedClient() {
        ProtocolHarness h = new ProtocolHarness(new SmtpHandler() { }, b -> b.xclientHosts(HARNESS_CLIENT)).ready();
        assertThat(h.cmd("EHLO proxy")).contains("250 XCLIENT NAME ADDR PORT PROTO HELO LOGIN DESTADDR DESTPORT\r\n");
        assertThat(h.cmd("XCLIENT ADDR=192.0.2.44 PORT=5555 NAME=client.example LOGIN=alice"))
                .isEqualTo("220 mx.test ESMTP Postern\r\n");
        assertThat(h.session.remoteAddress()).isEqualTo(new InetSocketAddress("192.0.2.44", 5555));
        assertThat(h.session.isProxied()).isTrue();
        assertThat(h.session.remoteHostName()).contains("client.example");
        assertThat(h.session.authenticatedUser()).contains("alice");
        assertThat(h.cmd("MAIL FROM:<a@b.c>")).startsWith("503 5.5.1"); // a new session: EHLO first
        assertThat(h.cmd("EHLO client.example")).doesNotContain("XCLIENT"); // the named client is not authorized
    }

    @Test
    void onlyAuthorizedClientsOutsideATransactionMaySendThem() {
        ProtocolHarness other = new ProtocolHarness().ready();
        assertThat(other.cmd("EHLO c")).doesNotContain("XCLIENT", "XFORWARD");
        assertThat(other.cmd("XCLIENT ADDR=192.0.2.44")).startsWith("550 5.7.0");
        assertThat(other.cmd("XFORWARD NAME=x")).startsWith("550 5.7.0");

        ProtocolHarness h = new ProtocolHarness(new SmtpHandler() { },
                b -> b.xclientHosts(HARNESS_CLIENT).xforwardHosts(HARNESS_CLIENT)).ready();
        h.cmd("MAIL FROM:<a@b.c>");
        assertThat(h.cmd("XCLIENT ADDR=192.0.2.44")).startsWith("503 5.5.1");
        assertThat(h.cmd("XFORWARD NAME=x")).startsWith("503 5.5.1");
        h.cmd("RSET");
        assertThat(h.cmd("XFORWARD BOGUS=1")).startsWith("501 5.5.4");
        assertThat(h.session.remoteAddress().getAddress().getHostAddress()).isEqualTo("127.0.0.9");
    }

    @Test
    void xforwardAttributesLastUntilTheEndOfTheNextTransaction() {
        ProtocolHarness h = new ProtocolHarness(new SmtpHandler() { }, b -> b.xforwardHosts(HARNESS_CLIENT)).ready();
        assertThat(h.cmd("XFORWARD NAME=spike.porcupine.org ADDR=168.100.189.2")).startsWith("250 2.0.0");
        assertThat(h.cmd("XFORWARD PROTO=ESMTP")).startsWith("250 2.0.0");
        assertThat(h.session.xforward()).containsOnly(entry("NAME", "spike.porcupine.org"),
                entry("ADDR", "168.100.189.2"), entry("PROTO", "ESMTP"));
        h.cmd("MAIL FROM:<a@b.c>");
        assertThat(h.session.xforward()).hasSize(3);
        h.cmd("RSET");
        assertThat(h.session.xforward()).isEmpty();
    }
}
