package dev.postern.proxy;

import dev.postern.ServerMetrics.Counter;
import dev.postern.SmtpSession;
import dev.postern.testing.RawSmtpClient;
import dev.postern.testing.SessionRecorder;
import dev.postern.testing.TestServer;
import dev.postern.testing.TestServers;
import dev.postern.testing.V2Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The PROXY gate's bounds and failure paths over real sockets: the header size bound, a failing onProxy
 * hook, and a trusted peer that speaks SMTP at once under the optional mode. The header timeout here is
 * long (5 s) so that "refused at once" and "closed by the timeout" cannot be mistaken for each other.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProxyGateSocketTest {

    private static final Duration PROXY_TIMEOUT = Duration.ofSeconds(5);
    /** Well under the header timeout: a refusal "at once" comes sooner than this even on a loaded machine. */
    private static final long AT_ONCE_NANOS = TimeUnit.MILLISECONDS.toNanos(2500);

    @RegisterExtension
    final TestServers servers = new TestServers(c -> c.proxyTimeout(PROXY_TIMEOUT));

    private TestServer start(SessionRecorder h, ProxyProtocolMode mode, Duration optionalWait) throws Exception {
        return servers.start(h, c -> c.clearListeners()
                .listen(TestServer.loopback().withProxyProtocol(mode, TrustedSources.parse("127.0.0.1/32")))
                .proxyOptionalWait(optionalWait));
    }

    /** A valid v2 TCP4 header of exactly {@code total} bytes: the addresses and one custom TLV as filler. */
    private static byte[] v2HeaderOf(int total) {
        byte[] filler = new byte[total - 16 - 12 - 3];
        Arrays.fill(filler, (byte) 'x');
        byte[] header = V2Header.tcp4("192.0.2.10", 40000, "198.51.100.1", 25).tlv(0xE0, filler).bytes();
        assertThat(header).hasSize(total);
        return header;
    }

    /** The header bound is 8 KiB: a header of 8192 bytes is read, one of 9 KiB is refused as it arrives. */
    @Test
    void aV2HeaderOver8KiBIsRefusedAtOnce() throws Exception {
        SessionRecorder h = new SessionRecorder(false);
        TestServer server = start(h, ProxyProtocolMode.REQUIRED, Duration.ofMillis(200));
        try (RawSmtpClient c = new RawSmtpClient("127.0.0.1", server.port())) {
            c.send(v2HeaderOf(8192));
            assertThat(c.reply()).startsWith("220 mx.test");
        }
        assertThat(h.connects).containsExactly("192.0.2.10 proxied=true secure=false");

        byte[] nineKiB = v2HeaderOf(9 * 1024);
        for (int sent : new int[] {nineKiB.length, 8193}) { // the whole header, or just past the bound
            try (RawSmtpClient c = new RawSmtpClient("127.0.0.1", server.port())) {
                long t0 = System.nanoTime();
                c.send(Arrays.copyOf(nineKiB, sent));
                // closed without a byte of reply (a reset, if the server left some of the header unread)
                assertThat(c.isClosedByServer()).as("%d bytes sent", sent).isTrue();
                assertThat(System.nanoTime() - t0).as("closed at once, not by the %s header timeout", PROXY_TIMEOUT)
                        .isLessThan(AT_ONCE_NANOS);
            }
        }
        assertThat(h.connects).hasSize(1);
        assertThat(h.log).filteredOn(l -> l.startsWith("WARN invalid PROXY header: ")).hasSize(2)
                .allMatch(l -> l.contains("longer than 8192"));
        assertThat(server.metrics().get(Counter.PROXY_HEADERS_REJECTED)).isEqualTo(2);
    }

    /**
     * A v2 header's version/command byte (the 13th) is judged as soon as it arrives: a wrong version or an
     * unknown command closes the connection then, without waiting for the rest of the header or the timeout.
     */
    @ParameterizedTest(name = "version/command 0x{0}")
    @ValueSource(strings = {"11", "31", "22", "2F"})
    void aV2HeaderWithABadVersionOrCommandIsRefusedAsSoonAsThatByteArrives(String versionCommand) throws Exception {
        SessionRecorder h = new SessionRecorder(false);
        TestServer server = start(h, ProxyProtocolMode.REQUIRED, Duration.ofMillis(200));
        byte[] header = V2Header.tcp4("192.0.2.10", 40000, "198.51.100.1", 25)
                .versionCommand(Integer.parseInt(versionCommand, 16)).bytes();
        try (RawSmtpClient c = new RawSmtpClient("127.0.0.1", server.port())) {
            long t0 = System.nanoTime();
            c.send(Arrays.copyOf(header, 13)); // the signature and that byte, nothing more
            assertThat(c.isClosedByServer()).isTrue();
            assertThat(System.nanoTime() - t0).isLessThan(AT_ONCE_NANOS);
        }
        assertThat(h.log).filteredOn(l -> l.startsWith("WARN invalid PROXY header")).singleElement().asString()
                .startsWith("WARN invalid PROXY header: bad v2 version/command byte 0x" + versionCommand
                        + "; closing connection from 127.0.0.1:");
        try (RawSmtpClient c = new RawSmtpClient("127.0.0.1", server.port())) { // 0x20 LOCAL and 0x21 PROXY still wait
            c.setReadTimeout(300);
            c.send(Arrays.copyOf(V2Header.local().bytes(), 13));
            assertThat(c.isClosedByServer()).isFalse();
        }
    }

    /** A header arriving in pieces (the signature alone, then the rest) is read whole. */
    @Test
    void aV2HeaderInPiecesIsReadWhole() throws Exception {
        SessionRecorder h = new SessionRecorder(false);
        TestServer server = start(h, ProxyProtocolMode.REQUIRED, Duration.ofMillis(200));
        byte[] header = V2Header.tcp4("192.0.2.10", 40000, "198.51.100.1", 25).bytes();
        try (RawSmtpClient c = new RawSmtpClient("127.0.0.1", server.port())) {
            c.setReadTimeout(300);
            c.send(Arrays.copyOf(header, 12));
            assertThat(c.isClosedByServer()).isFalse();
            c.send(Arrays.copyOfRange(header, 12, 14));
            assertThat(c.isClosedByServer()).isFalse();
            c.setReadTimeout(10_000);
            c.send(Arrays.copyOfRange(header, 14, header.length));
            assertThat(c.reply()).startsWith("220 mx.test");
        }
        assertThat(h.connects).containsExactly("192.0.2.10 proxied=true secure=false");
    }

    /**
     * onProxy failing with something other than a rejection: 421 4.3.0 and the connection closes; the
     * client never gets in with the identity the header claimed (no onConnect, no command read).
     */
    @ParameterizedTest(name = "non-blocking hooks: {0}")
    @ValueSource(booleans = {false, true})
    void anOnProxyFailureIs421AndTheClientNeverGetsIn(boolean nonBlocking) throws Exception {
        SessionRecorder h = new SessionRecorder(nonBlocking) {
            @Override
            public ProxyInfo onProxy(SmtpSession s, ProxyInfo p) {
                throw new IllegalStateException("geo database missing");
            }
        };
        TestServer server = start(h, ProxyProtocolMode.REQUIRED, Duration.ofMillis(200));
        for (byte[] header : List.of("PROXY TCP4 192.0.2.10 198.51.100.1 40000 25\r\nEHLO x\r\nMAIL FROM:<a@b.c>\r\n".getBytes(),
                V2Header.tcp4("192.0.2.10", 40000, "198.51.100.1", 25).bytes())) {
            try (RawSmtpClient c = new RawSmtpClient("127.0.0.1", server.port())) {
                c.send(header);
                assertThat(c.reply()).isEqualTo("421 4.3.0 Error: local problem; closing connection");
                assertThat(c.isClosedByServer()).isTrue();
            }
        }
        assertThat(h.connects).isEmpty();
        assertThat(h.commands).isEmpty();
        assertThat(h.log).filteredOn(l -> l.equals("ERROR onProxy failed")).hasSize(2);
        assertThat(server.metrics().get(Counter.HOOK_FAILURES)).isEqualTo(2);
    }

    /**
     * Optional mode: a trusted peer whose first bytes are SMTP is a direct client (as if it had waited for
     * the greeting): served at once, its early EHLO answered after the greeting, not refused as an early
     * talker and not made to wait for the optional wait.
     */
    @ParameterizedTest(name = "non-blocking hooks: {0}")
    @ValueSource(booleans = {false, true})
    void optionalModeServesATrustedPeerWhoseFirstBytesAreSmtp(boolean nonBlocking) throws Exception {
        SessionRecorder h = new SessionRecorder(nonBlocking);
        TestServer server = start(h, ProxyProtocolMode.OPTIONAL, PROXY_TIMEOUT.minusSeconds(1));
        try (RawSmtpClient c = new RawSmtpClient("127.0.0.1", server.port())) {
            long t0 = System.nanoTime();
            c.send("EHLO direct.example\r\n");
            assertThat(c.reply()).startsWith("220 mx.test");
            assertThat(c.reply()).startsWith("250-mx.test");
            assertThat(System.nanoTime() - t0).as("served without the optional wait").isLessThan(AT_ONCE_NANOS);
            assertThat(c.cmd("MAIL FROM:<a@b.c>")).startsWith("250");
        }
        assertThat(h.connects).containsExactly("127.0.0.1 proxied=false secure=false");
        assertThat(h.commands).containsExactly("EHLO direct.example", "MAIL FROM:<a@b.c>");
        assertThat(server.metrics().get(Counter.PROXY_HEADERS_REJECTED)).isZero();
    }

    /** Required mode, by contrast: the same bytes from a trusted peer close the connection unanswered. */
    @Test
    void requiredModeRefusesATrustedPeerWhoseFirstBytesAreSmtp() throws Exception {
        SessionRecorder h = new SessionRecorder(false);
        TestServer server = start(h, ProxyProtocolMode.REQUIRED, Duration.ofMillis(200));
        try (RawSmtpClient c = new RawSmtpClient("127.0.0.1", server.port())) {
            long t0 = System.nanoTime();
            c.send("EHLO direct.example\r\n");
            assertThat(c.readToClose()).isEmpty();
            assertThat(System.nanoTime() - t0).isLessThan(AT_ONCE_NANOS);
        }
        assertThat(h.connects).isEmpty();
        assertThat(server.metrics().get(Counter.PROXY_HEADERS_REJECTED)).isEqualTo(1);
    }
}
