package dev.postern.proxy;

import dev.postern.CommandDecision;
import dev.postern.LogLevel;
import dev.postern.ReceivedMessage;
import dev.postern.SmtpHandler;
import dev.postern.SmtpRejection;
import dev.postern.SmtpServerConfig;
import dev.postern.SmtpSession;
import dev.postern.testing.RawSmtpClient;
import dev.postern.testing.TestServer;
import dev.postern.testing.TestServers;
import dev.postern.testing.V2Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/** The PROXY gate, XCLIENT / XFORWARD and the pre-command filter over real sockets. */
class ProxyProtocolSocketTest {

    /** Records what hooks saw of the client. */
    static class Recorder implements SmtpHandler {
        final BlockingQueue<String> connects = new LinkedBlockingQueue<>();
        final BlockingQueue<SmtpSession> messages = new LinkedBlockingQueue<>();
        final List<String> logs = new CopyOnWriteArrayList<>();

        @Override
        public void onConnect(SmtpSession s) {
            connects.add(s.remoteAddress().getAddress().getHostAddress() + ":" + s.remoteAddress().getPort()
                    + " via " + s.socketRemoteAddress().getAddress().getHostAddress()
                    + " proxied=" + s.isProxied()
                    + " v=" + s.proxy().map(p -> p.version() + "/" + p.command()).orElse("-"));
        }

        @Override
        public void onMessage(SmtpSession s, ReceivedMessage m) {
            messages.add(s);
        }

        @Override
        public void onLogEvent(SmtpSession s, LogLevel level, String message, Throwable error) {
            logs.add(level + " " + message);
        }

        String nextConnect() throws InterruptedException {
            String c = connects.poll(5, TimeUnit.SECONDS);
            assertThat(c).as("onConnect was called").isNotNull();
            return c;
        }
    }

    @RegisterExtension
    final TestServers servers = new TestServers(c -> c.proxyTimeout(Duration.ofMillis(800)).proxyOptionalWait(Duration.ofMillis(200)));
    private TestServer server;

    /** A server whose one listener reads PROXY headers in {@code mode} from {@code trusted} sources. */
    private void start(SmtpHandler handler, ProxyProtocolMode mode, String trusted,
                       Consumer<SmtpServerConfig.Builder> more) throws Exception {
        server = servers.start(handler, c -> {
            c.clearListeners().listen(TestServer.loopback().withProxyProtocol(mode, TrustedSources.parse(trusted)));
            more.accept(c);
        });
    }

    @Test
    void v1HeaderFromATrustedProxyMakesItsSourceTheClient() throws Exception {
        Recorder r = new Recorder();
        start(r, ProxyProtocolMode.REQUIRED, "127.0.0.1/32", c -> { });
        try (RawSmtpClient c = new RawSmtpClient("127.0.0.1", server.port())) {
            c.send("PROXY TCP4 192.0.2.10 198.51.100.1 40000 25\r\n");
            assertThat(c.reply()).startsWith("220 mx.test");
            assertThat(c.cmd("EHLO x")).startsWith("250");
        }
        assertThat(r.nextConnect()).isEqualTo("192.0.2.10:40000 via 127.0.0.1 proxied=true v=1/PROXY");
    }

    @Test
    void v2HeaderWithTlvsReachesTheHooks() throws Exception {
        List<ProxyInfo> seen = new CopyOnWriteArrayList<>();
        Recorder r = new Recorder() {
            @Override
            public ProxyInfo onProxy(SmtpSession s, ProxyInfo p) {
                seen.add(p);
                return p;
            }
        };
        start(r, ProxyProtocolMode.REQUIRED, "127.0.0.0/8", c -> { });
        byte[] header = V2Header.tcp6("2001:db8::7", 51000, "2001:db8::1", 25)
                .tlv(Tlv.ALPN, "smtp").tlv(Tlv.UNIQUE_ID, "req-42")
                .tlv(Tlv.SSL, V2Header.sslValue(0x01, 0, V2Header.subTlv(0x21, "TLSv1.3"), V2Header.subTlv(0x23, "TLS_AES_128_GCM_SHA256")))
                .tlv(0xE0, "custom").crc32c().bytes();
        try (RawSmtpClient c = new RawSmtpClient("127.0.0.3", server.port())) {
            c.send(header);
            assertThat(c.reply()).startsWith("220");
        }
        assertThat(r.nextConnect()).isEqualTo("2001:db8:0:0:0:0:0:7:51000 via 127.0.0.3 proxied=true v=2/PROXY");
        ProxyInfo p = seen.get(0);
        assertThat(p.alpn()).contains("smtp");
        assertThat(p.uniqueId()).hasValueSatisfying(b -> assertThat(new String(b, StandardCharsets.US_ASCII)).isEqualTo("req-42"));
        assertThat(p.ssl()).hasValueSatisfying(ssl -> {
            assertThat(ssl.version()).contains("TLSv1.3");
            assertThat(ssl.cipher()).contains("TLS_AES_128_GCM_SHA256");
        });
        assertThat(p.tlv(0xE0)).hasSize(1);
    }

    @Test
    void headerAndPipelinedSmtpInOnePacketLoseNothing() throws Exception {
        Recorder r = new Recorder();
        start(r, ProxyProtocolMode.REQUIRED, "127.0.0.1", c -> { });
        try (RawSmtpClient c = new RawSmtpClient("127.0.0.1", server.port())) {
            c.send("PROXY TCP4 192.0.2.10 198.51.100.1 40000 25\r\nNOOP\r\n");
            assertThat(c.reply()).startsWith("220");
            assertThat(c.reply()).startsWith("250");
        }
    }

    @Test
    void untrustedSourceIsADirectClientAndItsProxyLineIsRefused() throws Exception {
        Recorder r = new Recorder();
        start(r, ProxyProtocolMode.REQUIRED, "127.0.0.1/32", c -> { });
        try (RawSmtpClient c = new RawSmtpClient("127.0.0.9", server.port())) {
            assertThat(c.reply()).startsWith("220"); // greeted at once
            assertThat(c.cmd("PROXY TCP4 192.0.2.10 198.51.100.1 40000 25")).startsWith("503 5.5.1");
        }
        assertThat(r.nextConnect()).startsWith("127.0.0.9:").endsWith("proxied=false v=-");
        assertThat(r.logs).anyMatch(l -> l.startsWith("WARN PROXY line inside the session refused"));
    }

    @Test
    void requiredHeaderMissingClosesWithoutGreeting() throws Exception {
        Recorder r = new Recorder();
        start(r, ProxyProtocolMode.REQUIRED, "127.0.0.1", c -> { });
        try (RawSmtpClient c = new RawSmtpClient("127.0.0.1", server.port())) {
            long t0 = System.nanoTime();
            assertThat(c.readToClose()).isEmpty();
            assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(700));
        }
        try (RawSmtpClient c = new RawSmtpClient("127.0.0.1", server.port())) {
            c.send("EHLO not-a-proxy\r\n");
            assertThat(c.readToClose()).isEmpty();
        }
        assertThat(r.connects).isEmpty();
        assertThat(r.logs).anyMatch(l -> l.startsWith("WARN no complete PROXY header"))
                .anyMatch(l -> l.startsWith("WARN no PROXY header (required)"));
    }

    @Test
    void invalidHeadersCloseAtOnceAndTheServerKeepsServing() throws Exception {
        Recorder r = new Recorder();
        start(r, ProxyProtocolMode.REQUIRED, "127.0.0.1", c -> { });
        List<byte[]> bad = List.of(
                "PROXY TCP4 192.168.000.1 10.0.0.1 1000 25\r\n".getBytes(StandardCharsets.US_ASCII),
                "PROXY TCP4 192.0.2.1 10.0.0.1 1000 70000\r\n".getBytes(StandardCharsets.US_ASCII),
                "PROXY TCP6 192.0.2.1 10.0.0.1 1000 25\r\n".getBytes(StandardCharsets.US_ASCII),
                ("PROXY TCP4 192.0.2.1 10.0.0.1 1000 25 extra" + " ".repeat(80) + "\r\n").getBytes(StandardCharsets.US_ASCII),
                V2Header.tcp4("192.0.2.1", 1000, "10.0.0.1", 25).wrongCrc32c().bytes(),
                V2Header.tcp4("192.0.2.1", 1000, "10.0.0.1", 25).versionCommand(0x31).bytes(),
                V2Header.tcp4("192.0.2.1", 1000, "10.0.0.1", 25).tlv(Tlv.ALPN, "x").declaredLength(14).bytes());
        for (byte[] header : bad) {
            try (RawSmtpClient c = new RawSmtpClient("127.0.0.1", server.port())) {
                long t0 = System.nanoTime();
                c.send(header);
                assertThat(c.readToClose()).isEmpty();
                assertThat(System.nanoTime() - t0).as("closed at once, not by the timeout")
                        .isLessThan(TimeUnit.MILLISECONDS.toNanos(700));
            }
        }
        assertThat(r.logs.stream().filter(l -> l.startsWith("WARN invalid PROXY header"))).hasSize(bad.size());
        try (RawSmtpClient c = new RawSmtpClient("127.0.0.1", server.port())) {
            c.send("PROXY TCP4 192.0.2.10 198.51.100.1 40000 25\r\n");
            assertThat(c.reply()).startsWith("220");
        }
    }

    @Test
    void optionalWithoutHeaderGreetsAfterTheWaitAsADirectClient() throws Exception {
        Recorder r = new Recorder();
        start(r, ProxyProtocolMode.OPTIONAL, "127.0.0.1", c -> { });
        try (RawSmtpClient c = new RawSmtpClient("127.0.0.1", server.port())) {
            assertThat(c.reply()).startsWith("220");
        }
        assertThat(r.nextConnect()).startsWith("127.0.0.1:").endsWith("proxied=false v=-");
        try (RawSmtpClient c = new RawSmtpClient("127.0.0.1", server.port())) {
            c.send("PROXY TCP4 192.0.2.10 198.51.100.1 40000 25\r\n");
            assertThat(c.reply()).startsWith("220");
        }
        assertThat(r.nextConnect()).startsWith("192.0.2.10:40000");
    }

    @Test
    void v2LocalKeepsTheSocketAddresses() throws Exception {
        Recorder r = new Recorder();
        start(r, ProxyProtocolMode.REQUIRED, "127.0.0.1", c -> { });
        try (RawSmtpClient c = new RawSmtpClient("127.0.0.1", server.port())) {
            c.send(V2Header.local().bytes());
            assertThat(c.reply()).startsWith("220");
        }
        assertThat(r.nextConnect()).startsWith("127.0.0.1:").endsWith("proxied=false v=2/LOCAL");
    }

    @Test
    void proxyHookCanRefuseOrAdjust() throws Exception {
        Recorder r = new Recorder() {
            @Override
            public ProxyInfo onProxy(SmtpSession s, ProxyInfo p) {
                if (p.source().getAddress().getHostAddress().equals("192.0.2.66")) {
                    throw SmtpRejection.of(554, "5.7.1", "Blocked network");
                }
                return new ProxyInfo(p.version(), p.command(), p.transport(),
                        new java.net.InetSocketAddress(p.source().getAddress(), 1), p.destination(), p.tlvs());
            }
        };
        start(r, ProxyProtocolMode.REQUIRED, "127.0.0.1", c -> { });
        try (RawSmtpClient c = new RawSmtpClient("127.0.0.1", server.port())) {
            c.send("PROXY TCP4 192.0.2.66 198.51.100.1 40000 25\r\n");
            assertThat(c.reply()).startsWith("554 5.7.1 Blocked network");
            assertThat(c.isClosedByServer()).isTrue();
        }
        try (RawSmtpClient c = new RawSmtpClient("127.0.0.1", server.port())) {
            c.send("PROXY TCP4 192.0.2.10 198.51.100.1 40000 25\r\n");
            assertThat(c.reply()).startsWith("220");
        }
        assertThat(r.nextConnect()).startsWith("192.0.2.10:1 ");
    }

    @Test
    void ignoredHostsAreServedButNotLogged() throws Exception {
        Recorder r = new Recorder();
        start(r, ProxyProtocolMode.REQUIRED, "127.0.0.1", c -> c.ignoredHosts(TrustedSources.parse("192.0.2.99")));
        try (RawSmtpClient c = new RawSmtpClient("127.0.0.1", server.port())) {
            c.send("PROXY TCP4 192.0.2.99 198.51.100.1 40000 25\r\n");
            assertThat(c.reply()).startsWith("220");
            assertThat(c.cmd("QUIT")).startsWith("221");
        }
        try (RawSmtpClient c = new RawSmtpClient("127.0.0.1", server.port())) {
            c.send("PROXY TCP4 192.0.2.10 198.51.100.1 40000 25\r\n");
            assertThat(c.reply()).startsWith("220");
            assertThat(c.cmd("QUIT")).startsWith("221");
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (r.logs.stream().noneMatch(l -> l.equals("INFO disconnect")) && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertThat(r.logs).noneMatch(l -> l.contains("192.0.2.99"));
        assertThat(r.logs).anyMatch(l -> l.contains("connect from 192.0.2.10"));
        assertThat(r.logs.stream().filter(l -> l.equals("INFO disconnect"))).hasSize(1);
    }

    @Test
    void xclientFromAnAuthorizedHostRestartsTheSessionAsTheRealClient() throws Exception {
        Recorder r = new Recorder();
        start(r, ProxyProtocolMode.OFF, "", c -> c.xclientHosts(TrustedSources.parse("127.0.0.1")));
        try (RawSmtpClient c = new RawSmtpClient("127.0.0.1", server.port())) {
            c.reply();
            assertThat(c.cmd("EHLO nginx")).contains("XCLIENT NAME ADDR PORT PROTO HELO LOGIN DESTADDR DESTPORT");
            assertThat(c.cmd("XCLIENT ADDR=192.0.2.44 PORT=5555 NAME=client.example LOGIN=alice")).startsWith("220 mx.test");
            assertThat(c.cmd("MAIL FROM:<a@b.c>")).startsWith("503"); // a fresh session: EHLO again
            assertThat(c.cmd("EHLO client.example")).doesNotContain("XCLIENT");
            c.cmd("MAIL FROM:<a@b.c>");
            c.cmd("RCPT TO:<x@y.z>");
            c.cmd("DATA");
            assertThat(c.cmd("hi\r\n.")).startsWith("250");
        }
        r.nextConnect();
        assertThat(r.nextConnect()).startsWith("192.0.2.44:5555").contains("proxied=true");
        SmtpSession s = r.messages.poll(5, TimeUnit.SECONDS);
        assertThat(s.remoteHostName()).contains("client.example");
        assertThat(s.authenticatedUser()).contains("alice");
        try (RawSmtpClient c = new RawSmtpClient("127.0.0.9", server.port())) {
            c.reply();
            assertThat(c.cmd("EHLO other")).doesNotContain("XCLIENT");
            assertThat(c.cmd("XCLIENT ADDR=192.0.2.44")).startsWith("550 5.7.0");
        }
    }

    @Test
    void xforwardAttributesReachTheMessageHook() throws Exception {
        BlockingQueue<java.util.Map<String, String>> forwarded = new LinkedBlockingQueue<>();
        Recorder r = new Recorder() {
            @Override
            public void onMessage(SmtpSession s, ReceivedMessage m) {
                forwarded.add(s.xforward());
            }
        };
        start(r, ProxyProtocolMode.OFF, "", c -> c.xforwardHosts(TrustedSources.parse("127.0.0.1")));
        try (RawSmtpClient c = new RawSmtpClient("127.0.0.1", server.port())) {
            c.reply();
            assertThat(c.cmd("EHLO filter")).contains("XFORWARD NAME ADDR PORT PROTO HELO IDENT SOURCE");
            assertThat(c.cmd("XFORWARD NAME=spike.porcupine.org ADDR=168.100.189.2 PROTO=ESMTP")).startsWith("250");
            assertThat(c.cmd("XFORWARD HELO=spike.porcupine.org IDENT=[UNAVAILABLE]")).startsWith("250");
            assertThat(c.cmd("XFORWARD BOGUS=1")).startsWith("501");
            c.cmd("MAIL FROM:<a@b.c>");
            assertThat(c.cmd("XFORWARD NAME=x")).startsWith("503");
            c.cmd("RCPT TO:<x@y.z>");
            c.cmd("DATA");
            assertThat(c.cmd("hi\r\n.")).startsWith("250");
        }
        assertThat(forwarded.poll(5, TimeUnit.SECONDS)).isEqualTo(java.util.Map.of("NAME", "spike.porcupine.org",
                "ADDR", "168.100.189.2", "PROTO", "ESMTP", "HELO", "spike.porcupine.org", "IDENT", ""));
    }

    @Test
    void commandFilterPassesRewritesAnswersAndFails() throws Exception {
        Recorder r = new Recorder() {
            @Override
            public CommandDecision onCommand(SmtpSession s, String line) {
                if (line.equalsIgnoreCase("XPING")) {
                    s.attributes().merge("pings", 1, (a, b) -> (Integer) a + (Integer) b);
                    return CommandDecision.reply(250, "2.0.0", "pong " + s.attributes().get("pings"));
                }
                if (line.startsWith("MAIL FROM:<old@")) {
                    return CommandDecision.rewrite("MAIL FROM:<new@b.c>");
                }
                if (line.startsWith("RCPT") && s.envelope().reversePath().address().equals("new@b.c")
                        && line.contains("blocked")) {
                    return CommandDecision.replyAndClose(554, "5.7.1", "Not from you");
                }
                if (line.equals("BOOM")) {
                    throw new IllegalStateException("filter bug");
                }
                return null;
            }
        };
        start(r, ProxyProtocolMode.OFF, "", c -> { });
        try (RawSmtpClient c = new RawSmtpClient(server.port())) {
            c.reply();
            c.cmd("EHLO me");
            assertThat(c.cmd("XPING")).isEqualTo("250 2.0.0 pong 1");
            assertThat(c.cmd("XPING")).isEqualTo("250 2.0.0 pong 2");
            assertThat(c.cmd("MAIL FROM:<old@b.c>")).startsWith("250");
            assertThat(c.cmd("RCPT TO:<ok@y.z>")).startsWith("250");
            assertThat(c.cmd("RCPT TO:<blocked@y.z>")).startsWith("554 5.7.1 Not from you");
            assertThat(c.isClosedByServer()).isTrue();
        }
        try (RawSmtpClient c = new RawSmtpClient(server.port())) {
            c.reply();
            assertThat(c.cmd("BOOM")).startsWith("421 4.3.0");
            assertThat(c.isClosedByServer()).isTrue();
        }
    }

    /**
     * maxConnectionsPerClient counts the real client: behind one trusted proxy, two connections for
     * 192.0.2.10 fill its quota, a third is refused with 421, while 192.0.2.11 still gets in; a closed
     * connection frees its place. Direct clients are counted by their own address.
     */
    @Test
    void perClientConnectionLimitCountsTheRealClient() throws Exception {
        Recorder r = new Recorder();
        start(r, ProxyProtocolMode.OPTIONAL, "127.0.0.1/32", c -> c.maxConnectionsPerClient(2));
        List<RawSmtpClient> open = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                RawSmtpClient c = new RawSmtpClient("127.0.0.1", server.port());
                open.add(c);
                c.send("PROXY TCP4 192.0.2.10 198.51.100.1 4000" + i + " 25\r\n");
                assertThat(c.reply()).startsWith("220 mx.test");
            }
            try (RawSmtpClient third = new RawSmtpClient("127.0.0.1", server.port())) {
                third.send("PROXY TCP4 192.0.2.10 198.51.100.1 40009 25\r\n");
                assertThat(third.reply()).startsWith("421 4.7.0 mx.test Too many connections from your address");
                assertThat(third.isClosedByServer()).isTrue();
            }
            try (RawSmtpClient other = new RawSmtpClient("127.0.0.1", server.port())) {
                other.send("PROXY TCP4 192.0.2.11 198.51.100.1 40000 25\r\n");
                assertThat(other.reply()).startsWith("220 mx.test");
            }
            for (String direct : List.of("127.0.0.9", "127.0.0.9")) {
                RawSmtpClient c = new RawSmtpClient(direct, server.port());
                open.add(c);
                assertThat(c.reply()).startsWith("220 mx.test");
            }
            try (RawSmtpClient third = new RawSmtpClient("127.0.0.9", server.port())) {
                assertThat(third.reply()).startsWith("421 4.7.0");
            }
            open.remove(0).cmd("QUIT");
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (true) { // the server counts the close when its disconnect runs
                try (RawSmtpClient again = new RawSmtpClient("127.0.0.1", server.port())) {
                    again.send("PROXY TCP4 192.0.2.10 198.51.100.1 40010 25\r\n");
                    String reply = again.reply();
                    if (reply.startsWith("220") || System.nanoTime() > deadline) {
                        assertThat(reply).startsWith("220 mx.test");
                        break;
                    }
                }
                Thread.sleep(20);
            }
            assertThat(r.logs).anyMatch(l -> l.equals("WARN connection from 192.0.2.10 refused: too many connections from this client (2)"));
        } finally {
            for (RawSmtpClient c : open) {
                c.close();
            }
        }
    }
}
