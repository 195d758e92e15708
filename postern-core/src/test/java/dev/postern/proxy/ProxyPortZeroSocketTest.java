package dev.postern.proxy;

import dev.postern.SmtpHandler;
import dev.postern.SmtpSession;
import dev.postern.testing.RawSmtpClient;
import dev.postern.testing.TestServer;
import dev.postern.testing.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PROXY headers with port 0, which the specification allows (2.1 and 2.2: "a port number between 0
 * and 65535") and Netty's decoder refuses in v1: accepted through the real gate, byte for byte.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProxyPortZeroSocketTest {

    @RegisterExtension
    final TestServers servers = new TestServers();

    static class Clients implements SmtpHandler {
        final BlockingQueue<String> seen = new LinkedBlockingQueue<>();

        @Override
        public void onConnect(SmtpSession s) {
            InetSocketAddress r = s.remoteAddress();
            InetSocketAddress l = s.localAddress();
            seen.add(r.getAddress().getHostAddress() + " " + r.getPort() + " -> " + l.getAddress().getHostAddress()
                    + " " + l.getPort() + " v" + s.proxy().orElseThrow().version());
        }
    }

    private String through(byte[] header) throws Exception {
        Clients h = new Clients();
        TestServer server = servers.start(h, c -> c.clearListeners()
                .listen(TestServer.loopback().withProxyProtocol(ProxyProtocolMode.REQUIRED, TrustedSources.parse("127.0.0.1"))));
        try (RawSmtpClient c = new RawSmtpClient("127.0.0.1", server.port())) {
            c.send(header);
            c.send("NOOP\r\n");
            assertThat(c.reply()).startsWith("220 mx.test");
            assertThat(c.reply()).startsWith("250");
        }
        return h.seen.poll(10, TimeUnit.SECONDS);
    }

    @Test
    void v1SourcePortZero() throws Exception {
        assertThat(through("PROXY TCP4 192.0.2.10 198.51.100.1 0 25\r\n".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo("192.0.2.10 0 -> 198.51.100.1 25 v1");
    }

    @Test
    void v1BothPortsZeroOverIpv6() throws Exception {
        assertThat(through("PROXY TCP6 2001:db8::7 2001:db8::1 0 0\r\n".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo("2001:db8:0:0:0:0:0:7 0 -> 2001:db8:0:0:0:0:0:1 0 v1");
    }

    @Test
    void v2PortsZero() throws Exception {
        // signature, v2 PROXY, TCP over IPv4, 12 address bytes: 192.0.2.10 -> 198.51.100.1, ports 0 and 0
        byte[] header = HexFormat.of().parseHex("0D0A0D0A000D0A515549540A" + "21" + "11" + "000C"
                + "C000020A" + "C6336401" + "0000" + "0000");
        assertThat(through(header)).isEqualTo("192.0.2.10 0 -> 198.51.100.1 0 v2");
    }

    /** UNKNOWN may be followed by anything (2.1), even a 0 where a port would be: still a header without addresses. */
    @Test
    void v1UnknownWithTrailingFieldsIsNotMistakenForAddresses() throws Exception {
        Clients h = new Clients() {
            @Override
            public void onConnect(SmtpSession s) {
                seen.add(s.remoteAddress().getAddress().getHostAddress() + " " + s.proxy().orElseThrow().transport());
            }
        };
        TestServer server = servers.start(h, c -> c.clearListeners()
                .listen(TestServer.loopback().withProxyProtocol(ProxyProtocolMode.REQUIRED, TrustedSources.parse("127.0.0.1"))));
        try (RawSmtpClient c = new RawSmtpClient("127.0.0.1", server.port())) {
            c.send("PROXY UNKNOWN 1 2 3 0\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(c.reply()).startsWith("220 mx.test");
        }
        assertThat(h.seen.poll(10, TimeUnit.SECONDS)).isEqualTo("127.0.0.1 UNKNOWN");
    }
}
