package dev.postern.tls;

import dev.postern.Listener;
import dev.postern.ReceivedMessage;
import dev.postern.ServerMetrics;
import dev.postern.SmtpServerConfig;
import dev.postern.SmtpSession;
import dev.postern.proxy.ProxyProtocolMode;
import dev.postern.proxy.TrustedSources;
import dev.postern.testing.AngusMail;
import dev.postern.testing.SessionRecorder;
import dev.postern.testing.SmtpReplyReader;
import dev.postern.testing.TestServer;
import dev.postern.testing.TestServers;
import dev.postern.testing.TestTls;
import dev.postern.testing.V2Header;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.net.ssl.SSLSocket;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** STARTTLS and implicit TLS over real sockets: Angus Mail, and a raw client for what Angus would never send. */
class TlsSocketTest {

    @RegisterExtension
    final TestServers servers = new TestServers(c -> c.tls(TestTls.serverTls().build()));

    /** What the hooks saw of each session (SessionRecorder), and its messages, each accepted over TLS only. */
    static final class Recorder extends SessionRecorder {
        final BlockingQueue<String> messages = new LinkedBlockingQueue<>();

        Recorder(boolean nonBlocking) {
            super(nonBlocking);
        }

        @Override
        public void onMessage(SmtpSession session, ReceivedMessage message) throws Exception {
            TlsInfo tls = session.tls().orElseThrow(() -> new AssertionError("message accepted in clear"));
            messages.add(tls.protocol() + " " + new String(message.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private static void sendWithAngus(String protocol, int port, Properties extra) throws Exception {
        Properties p = AngusMail.settings(protocol, port);
        p.put("mail." + protocol + ".ssl.trust", "*");
        p.putAll(extra);
        Session session = Session.getInstance(p);
        MimeMessage m = AngusMail.message(session, "alice@example.org", "bob@example.net", "over TLS", "secret\r\n");
        try (Transport t = session.getTransport(protocol)) {
            t.connect();
            t.sendMessage(m, m.getAllRecipients());
        }
    }

    @ParameterizedTest(name = "non-blocking hooks: {0}")
    @ValueSource(booleans = {false, true})
    void angusMailUsesRequiredStartTls(boolean nonBlocking) throws Exception {
        Recorder h = new Recorder(nonBlocking);
        TestServer server = servers.start(h, c -> c.startTls(StartTlsMode.REQUIRED));
        Properties p = new Properties();
        p.put("mail.smtp.starttls.enable", "true");
        p.put("mail.smtp.starttls.required", "true");
        sendWithAngus("smtp", server.port(), p);
        assertThat(h.next(h.messages)).startsWith("TLSv1.3 ").contains("Subject: over TLS", "secret");
        TlsInfo tls = h.next(h.secured).tls().orElseThrow();
        assertThat(tls.implicit()).isFalse();
        assertThat(tls.cipherSuite()).startsWith("TLS_");
        assertThat(tls.peerCertificates()).isEmpty();
    }

    @Test
    void requiredStartTlsRefusesMailInClear() throws Exception {
        TestServer server = servers.start(new Recorder(false), c -> c.startTls(StartTlsMode.REQUIRED));
        try (Socket s = connect(null, server.port())) {
            Lines io = new Lines(s);
            io.reply();
            assertThat(io.cmd("EHLO c")).contains("STARTTLS");
            assertThat(io.cmd("MAIL FROM:<a@b.test>")).startsWith("530 5.7.0");
        }
    }

    @ParameterizedTest(name = "non-blocking hooks: {0}")
    @ValueSource(booleans = {false, true})
    void angusMailOverImplicitTls(boolean nonBlocking) throws Exception {
        Recorder h = new Recorder(nonBlocking);
        TestServer server = servers.start(h, c -> c.clearListeners().listen(TestServer.loopback().withImplicitTls()));
        sendWithAngus("smtps", server.port(), new Properties());
        assertThat(h.next(h.connects)).isEqualTo("127.0.0.1 proxied=false secure=true");
        assertThat(h.next(h.messages)).startsWith("TLSv1.3 ").contains("secret");
        assertThat(h.next(h.secured).tls().orElseThrow().implicit()).isTrue();
    }

    @ParameterizedTest(name = "non-blocking hooks: {0}")
    @ValueSource(booleans = {false, true})
    void commandsInjectedBehindStartTlsAreNotExecuted(boolean nonBlocking) throws Exception {
        // CVE-2011-0411: commands in the same packet as STARTTLS must be thrown away, not run after the handshake.
        TestServer server = servers.start(new Recorder(nonBlocking));
        try (Socket s = connect(null, server.port())) {
            Lines io = new Lines(s);
            io.reply();
            io.cmd("EHLO c");
            io.out.write("STARTTLS\r\nMAIL FROM:<evil@attacker.test>\r\nRSET\r\n".getBytes(StandardCharsets.US_ASCII));
            io.out.flush();
            assertThat(io.reply()).startsWith("220 2.0.0");
            SSLSocket tls = TestTls.handshake(s, TestTls.client(null));
            Lines secure = new Lines(tls);
            String ehlo = secure.cmd("EHLO c");
            assertThat(ehlo).startsWith("250-mx.test").doesNotContain("STARTTLS");
            assertThat(secure.cmd("RCPT TO:<bob@example.net>")).startsWith("503 5.5.1 Error: need MAIL");
            assertThat(secure.cmd("STARTTLS")).startsWith("503 5.5.1 Error: TLS already active");
        }
    }

    @ParameterizedTest(name = "PROXY v{0}")
    @ValueSource(ints = {1, 2})
    void implicitTlsBehindAProxyReadsTheHeaderFirstEvenInTheSamePacketAsTheClientHello(int version) throws Exception {
        Recorder h = new Recorder(false);
        TestServer server = servers.start(h, c -> c.clearListeners().listen(TestServer.loopback()
                .withProxyProtocol(ProxyProtocolMode.REQUIRED, TrustedSources.parse("127.0.0.1/32")).withImplicitTls()));
        byte[] header = version == 1
                ? "PROXY TCP4 192.0.2.7 127.0.0.1 40001 465\r\n".getBytes(StandardCharsets.US_ASCII)
                : V2Header.tcp4("192.0.2.7", 40001, "127.0.0.1", 465).bytes();
        try (Socket plain = new PrefixingSocket(header)) {
            plain.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 5000);
            plain.setSoTimeout(10_000);
            SSLSocket tls = TestTls.handshake(plain, TestTls.client(null)); // header + ClientHello in one write
            Lines io = new Lines(tls);
            assertThat(io.reply()).startsWith("220 mx.test");
            assertThat(io.cmd("EHLO c")).startsWith("250-mx.test");
        }
        assertThat(h.next(h.connects)).isEqualTo("192.0.2.7 proxied=true secure=true");
        SmtpSession secured = h.next(h.secured);
        assertThat(secured.proxy()).isPresent();
        assertThat(secured.socketRemoteAddress().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
    }

    @Test
    void implicitTlsBehindAProxyWithTheHeaderInItsOwnPacket() throws Exception {
        Recorder h = new Recorder(true);
        TestServer server = servers.start(h, c -> c.clearListeners().listen(TestServer.loopback()
                .withProxyProtocol(ProxyProtocolMode.REQUIRED, TrustedSources.parse("127.0.0.1/32")).withImplicitTls()));
        try (Socket plain = connect(null, server.port())) {
            plain.getOutputStream().write("PROXY TCP6 2001:db8::7 ::1 40001 465\r\n".getBytes(StandardCharsets.US_ASCII));
            plain.getOutputStream().flush();
            Lines io = new Lines(TestTls.handshake(plain, TestTls.client(null)));
            assertThat(io.reply()).startsWith("220 mx.test");
        }
        assertThat(h.next(h.connects)).isEqualTo("2001:db8:0:0:0:0:0:7 proxied=true secure=true");
    }

    @Test
    void plainTextOnAnImplicitTlsListenerIsClosedWithoutAGreeting() throws Exception {
        Recorder h = new Recorder(false);
        TestServer server = servers.start(h, c -> c.clearListeners().listen(TestServer.loopback().withImplicitTls()));
        try (Socket s = connect(null, server.port())) {
            s.getOutputStream().write("EHLO plain.test\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            byte[] got = in.readAllBytes(); // until the server closes
            assertThat(new String(got, StandardCharsets.ISO_8859_1)).doesNotContain("220");
        }
        assertThat(h.connects).isEmpty();
        assertThat(server.metrics().get(ServerMetrics.Counter.TLS_HANDSHAKE_FAILURES)).isEqualTo(1);
        sendWithAngus("smtps", server.port(), new Properties()); // the server keeps serving others
        assertThat(h.next(h.messages)).startsWith("TLSv1.3");
    }

    /**
     * The handshake timeout closes a client that never starts its handshake: not before the timeout, and long before Netty's 10 s
     * default. With SNI names configured the connection gets another handler, with the same bound.
     */
    @ParameterizedTest(name = "with SNI names: {0}")
    @ValueSource(booleans = {false, true})
    void aSilentClientOnAnImplicitTlsListenerIsClosedAtTheHandshakeTimeout(boolean sni) throws Exception {
        TlsConfig.Builder tls = TestTls.serverTls().handshakeTimeout(Duration.ofMillis(700));
        if (sni) {
            tls.sni("mail.example.org", TestTls.SERVER);
        }
        TestServer server = servers.start(new Recorder(false), c -> c.clearListeners()
                .listen(TestServer.loopback().withImplicitTls()).tls(tls.build()));
        long t0 = System.nanoTime(); // before connecting: the server's timer cannot start earlier
        try (Socket s = connect(null, server.port())) {
            assertThat(s.getInputStream().read()).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(700))
                    .isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void clientCertificatesReachTheHooks(@TempDir Path dir) throws Exception {
        TlsConfig.KeyMaterial client = new TlsConfig.SelfSigned(List.of("client.test")).generate();
        Path ca = dir.resolve("client-ca.pem");
        TestTls.writePem(client, ca, dir.resolve("unused.key"));
        Recorder h = new Recorder(false);
        TestServer server = servers.start(h, c -> c.tls(TestTls.serverTls()
                .clientAuth(TlsConfig.ClientAuth.OPTIONAL).clientCaFile(ca).build()));
        try (Socket s = connect(null, server.port())) {
            Lines io = new Lines(s);
            io.reply();
            io.cmd("EHLO c");
            assertThat(io.cmd("STARTTLS")).startsWith("220");
            Lines secure = new Lines(TestTls.handshake(s, TestTls.client(client)));
            assertThat(secure.cmd("EHLO c")).startsWith("250");
        }
        TlsInfo tls = h.next(h.secured).tls().orElseThrow();
        assertThat(tls.peerSubject()).contains("CN=client.test");
        assertThat(tls.serverName()).isEqualTo("mx.test");
    }

    @Test
    void aRenewedPemCertificateIsUsedForNewConnections(@TempDir Path dir) throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        TestTls.writePem(TestTls.SERVER, cert, key);
        TestServer server = servers.start(new Recorder(false), c -> c.clearListeners()
                .listen(TestServer.loopback().withImplicitTls())
                .tls(TlsConfig.pem(cert, key).reloadInterval(Duration.ofMillis(1)).build()));
        assertThat(serverCertificate(server.port())).isEqualTo(TestTls.SERVER.chain().getFirst());

        TlsConfig.KeyMaterial renewed = new TlsConfig.SelfSigned(List.of("mx.test")).generate();
        TestTls.writePem(renewed, cert, key);
        FileTime later = FileTime.from(Instant.now().plusSeconds(5));
        Files.setLastModifiedTime(cert, later);
        Files.setLastModifiedTime(key, later);
        Thread.sleep(5);
        assertThat(serverCertificate(server.port())).isEqualTo(renewed.chain().getFirst());

        Files.writeString(key, "not a key"); // a broken renewal keeps the last good certificate
        Files.setLastModifiedTime(key, FileTime.from(Instant.now().plusSeconds(10)));
        Thread.sleep(5);
        assertThat(serverCertificate(server.port())).isEqualTo(renewed.chain().getFirst());
    }

    @Test
    void anUnreadableCertificateFailsTheStart(@TempDir Path dir) {
        Path cert = dir.resolve("missing.pem");
        assertThatThrownBy(() -> servers.start(new Recorder(false), c -> c.tls(TlsConfig.pem(cert, dir.resolve("k.pem")).build())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing.pem");
    }

    @Test
    void anImplicitTlsListenerWithoutACertificateIsAConfigurationError() {
        assertThatThrownBy(() -> SmtpServerConfig.builder().hostname("mx.test")
                .listen(Listener.of("127.0.0.1", 0).withImplicitTls()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("implicit TLS");
    }

    @Test
    void sniPicksTheCertificateByTheNameTheClientAsksFor() throws Exception {
        TlsConfig.KeyMaterial mail = new TlsConfig.SelfSigned(List.of("mail.example.org")).generate();
        TlsConfig.KeyMaterial wildcard = new TlsConfig.SelfSigned(List.of("*.example.net")).generate();
        Recorder h = new Recorder(false);
        TestServer server = servers.start(h, c -> c.listen(TestServer.loopback().withImplicitTls())
                .tls(TestTls.serverTls()
                        .sni("Mail.Example.org", mail).sni("*.example.net", wildcard).build()));
        int starttls = server.port(0);
        int implicit = server.port(1);
        assertThat(serverCertificate(implicit, "mail.example.org")).isEqualTo(mail.chain().getFirst());
        assertThat(serverCertificate(implicit, "MAIL.example.ORG")).isEqualTo(mail.chain().getFirst());
        assertThat(serverCertificate(implicit, "mx1.example.net")).isEqualTo(wildcard.chain().getFirst());
        assertThat(serverCertificate(implicit, "a.mx1.example.net")).isEqualTo(TestTls.SERVER.chain().getFirst());
        assertThat(serverCertificate(implicit, "other.test")).isEqualTo(TestTls.SERVER.chain().getFirst());
        assertThat(serverCertificate(implicit, null)).isEqualTo(TestTls.SERVER.chain().getFirst());
        try (Socket s = connect(null, starttls)) {
            Lines io = new Lines(s);
            io.reply();
            io.cmd("EHLO c");
            assertThat(io.cmd("STARTTLS")).startsWith("220 2.0.0");
            SSLSocket tls = TestTls.handshake(s, TestTls.client(null), "mail.example.org");
            assertThat(tls.getSession().getPeerCertificates()[0]).isEqualTo(mail.chain().getFirst());
            assertThat(new Lines(tls).cmd("EHLO c")).startsWith("250-mx.test");
        }
        List<String> names = new ArrayList<>();
        for (SmtpSession secured; (secured = h.secured.poll(1, TimeUnit.SECONDS)) != null; ) {
            names.add(secured.tls().orElseThrow().serverName());
        }
        assertThat(names).contains("mail.example.org", "mx1.example.net");
    }

    private static X509Certificate serverCertificate(int port) throws Exception {
        return serverCertificate(port, "mx.test");
    }

    private static X509Certificate serverCertificate(int port, String serverName) throws Exception {
        try (Socket s = connect(null, port); SSLSocket tls = TestTls.handshake(s, TestTls.client(null), serverName)) {
            new Lines(tls).reply();
            return (X509Certificate) tls.getSession().getPeerCertificates()[0];
        }
    }

    private static Socket connect(String from, int port) throws IOException {
        Socket s = new Socket();
        if (from != null) {
            s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
        }
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
        s.setSoTimeout(10_000);
        return s;
    }

    /** Line-level SMTP over any socket, plain or TLS. */
    private static final class Lines {
        final InputStream in;
        final OutputStream out;

        Lines(Socket s) throws IOException {
            in = s.getInputStream();
            out = s.getOutputStream();
        }

        String cmd(String line) throws IOException {
            out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            return reply();
        }

        String reply() throws IOException {
            return SmtpReplyReader.reply(in);
        }
    }

    /**
     * A socket whose first write carries {@code prefix} in front, so that a PROXY header and the TLS
     * ClientHello the client layers on top reach the server in one segment, as a proxy may send them.
     */
    private static final class PrefixingSocket extends Socket {
        private byte[] prefix;
        private OutputStream wrapped;

        PrefixingSocket(byte[] prefix) {
            this.prefix = prefix;
        }

        @Override
        public synchronized OutputStream getOutputStream() throws IOException {
            if (wrapped == null) {
                OutputStream raw = super.getOutputStream();
                wrapped = new FilterOutputStream(raw) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        if (prefix != null) {
                            byte[] all = new byte[prefix.length + len];
                            System.arraycopy(prefix, 0, all, 0, prefix.length);
                            System.arraycopy(b, off, all, prefix.length, len);
                            prefix = null;
                            raw.write(all);
                        } else {
                            raw.write(b, off, len);
                        }
                    }
                };
            }
            return wrapped;
        }
    }
}
