package dev.postern.tls;

import dev.postern.LogLevel;
import dev.postern.ServerMetrics.Counter;
import dev.postern.SmtpHandler;
import dev.postern.SmtpSession;
import dev.postern.testing.SmtpLines;
import dev.postern.testing.TestServer;
import dev.postern.testing.TestServers;
import dev.postern.testing.TestTls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The TLS settings that are security rules, each used on a real connection rather than only parsed:
 * a required client certificate, the cipher suite list, and what a failed handshake or a failing
 * onSecure hook leaves of the session. STARTTLS and implicit-TLS listeners alike.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsPolicySocketTest {

    @RegisterExtension
    final TestServers servers = new TestServers();

    /** The client's key, and the CA file that makes the server trust it. */
    private static final TlsConfig.KeyMaterial CLIENT = new TlsConfig.SelfSigned(List.of("client.test")).generate();

    /** What the hooks saw. */
    static class Recorder implements SmtpHandler {
        final List<String> secured = new CopyOnWriteArrayList<>();
        final List<String> connected = new CopyOnWriteArrayList<>();
        final List<String> log = new CopyOnWriteArrayList<>();

        @Override
        public void onConnect(SmtpSession session) {
            connected.add(session.id());
        }

        @Override
        public void onSecure(SmtpSession session) {
            TlsInfo tls = session.tls().orElseThrow();
            secured.add(tls.protocol() + " " + tls.cipherSuite() + " " + tls.peerSubject().orElse("-"));
        }

        @Override
        public void onLogEvent(SmtpSession session, LogLevel level, String message, Throwable error) {
            log.add(level + " " + message);
        }
    }

    /** Where the client meets TLS: after STARTTLS on a plain listener, or from the first byte. */
    enum Where { STARTTLS, IMPLICIT }

    private TestServer start(Recorder h, Where where, Consumer<TlsConfig.Builder> tls) throws IOException {
        TlsConfig.Builder b = TestTls.serverTls();
        tls.accept(b);
        return servers.start(h, c -> {
            c.tls(b.build());
            if (where == Where.IMPLICIT) {
                c.clearListeners().listen(TestServer.loopback().withImplicitTls());
            }
        });
    }

    /** Connects and brings the connection to where the client handshakes. */
    private static SmtpLines reachTls(TestServer server, Where where) throws IOException {
        SmtpLines io = SmtpLines.connect(server.port());
        if (where == Where.STARTTLS) {
            assertThat(io.reply()).startsWith("220 mx.test");
            assertThat(io.cmd("EHLO client.test")).contains("STARTTLS");
            assertThat(io.cmd("STARTTLS")).startsWith("220 2.0.0");
        }
        return io;
    }

    /** The first SMTP exchange over TLS: the greeting (implicit TLS) or the new EHLO (STARTTLS). */
    private static String firstReplyOverTls(SmtpLines io, Where where) throws IOException {
        return where == Where.IMPLICIT ? io.reply() : io.cmd("EHLO client.test");
    }

    private static void awaitCount(TestServer server, Counter counter, long expected) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server.metrics().get(counter) < expected && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertThat(server.metrics().get(counter)).as(counter.name()).isEqualTo(expected);
    }

    /**
     * ClientAuth.REQUIRE (postern serve's {@code --tls-client-auth require}): a client without a
     * certificate, or with one the CA file does not vouch for, never gets an SMTP reply over TLS; one with
     * a trusted certificate does, and its hooks see the certificate. (Under TLS 1.3 the client's own
     * handshake may complete before the server's verdict, so the refusal shows at its first read.)
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"STARTTLS", "IMPLICIT"})
    void aRequiredClientCertificateRefusesClientsWithoutATrustedOne(Where where, @TempDir Path dir) throws Exception {
        Path ca = dir.resolve("client-ca.pem");
        TestTls.writePem(CLIENT, ca, dir.resolve("client.key"));
        Recorder h = new Recorder();
        TestServer server = start(h, where, b -> b.clientAuth(TlsConfig.ClientAuth.REQUIRE).clientCaFile(ca));

        TlsConfig.KeyMaterial stranger = new TlsConfig.SelfSigned(List.of("stranger.test")).generate();
        int failures = 0;
        for (TlsConfig.KeyMaterial key : new TlsConfig.KeyMaterial[] {null, stranger}) {
            try (SmtpLines io = reachTls(server, where)) {
                assertThatThrownBy(() -> {
                    io.startTls(TestTls.client(key));
                    firstReplyOverTls(io, where);
                }).as(key == null ? "no certificate" : "untrusted certificate").isInstanceOf(IOException.class);
            }
            awaitCount(server, Counter.TLS_HANDSHAKE_FAILURES, ++failures);
        }
        assertThat(h.secured).isEmpty();
        if (where == Where.IMPLICIT) {
            assertThat(h.connected).isEmpty(); // never greeted
        }

        try (SmtpLines io = reachTls(server, where)) {
            io.startTls(TestTls.client(CLIENT));
            assertThat(firstReplyOverTls(io, where)).startsWith(where == Where.IMPLICIT ? "220 mx.test" : "250-mx.test");
        }
        assertThat(h.secured).singleElement().asString().endsWith(" CN=client.test");
    }

    /** OPTIONAL, by contrast, lets a client without a certificate in: the hooks see none. */
    @Test
    void anOptionalClientCertificateLetsAClientWithoutOneIn(@TempDir Path dir) throws Exception {
        Path ca = dir.resolve("client-ca.pem");
        TestTls.writePem(CLIENT, ca, dir.resolve("client.key"));
        Recorder h = new Recorder();
        TestServer server = start(h, Where.STARTTLS, b -> b.clientAuth(TlsConfig.ClientAuth.OPTIONAL).clientCaFile(ca));
        try (SmtpLines io = reachTls(server, Where.STARTTLS)) {
            io.startTls(TestTls.client(null));
            assertThat(io.cmd("EHLO client.test")).startsWith("250-mx.test");
        }
        assertThat(h.secured).singleElement().asString().endsWith(" -");
    }

    /**
     * The configured cipher suites are the only ones a connection can use: a client offering only one
     * outside the list fails the handshake, a client offering one inside gets exactly that one.
     */
    @ParameterizedTest(name = "{0}: allowed {1}, outside {2}")
    @CsvSource({
            "TLSv1.3, TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384",
            "TLSv1.3, TLS_CHACHA20_POLY1305_SHA256, TLS_AES_128_GCM_SHA256",
            "TLSv1.2, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"})
    void onlyTheConfiguredCipherSuitesAreNegotiated(String version, String allowed, String outside) throws Exception {
        for (Where where : Where.values()) {
            Recorder h = new Recorder();
            TestServer server = start(h, where, b -> b.protocols(version).cipherSuites(List.of(allowed)));
            try (SmtpLines io = reachTls(server, where)) {
                assertThatThrownBy(() -> {
                    io.startTls(TestTls.client(null), offering(version, outside));
                    firstReplyOverTls(io, where);
                }).as(where + " " + outside).isInstanceOf(IOException.class);
            }
            try (SmtpLines io = reachTls(server, where)) {
                SSLSocket tls = io.startTls(TestTls.client(null), offering(version, outside, allowed));
                assertThat(tls.getSession().getCipherSuite()).isEqualTo(allowed);
                assertThat(firstReplyOverTls(io, where)).startsWith(where == Where.IMPLICIT ? "220 mx.test" : "250-mx.test");
            }
            assertThat(h.secured).as(where.name()).containsExactly(version + " " + allowed + " -");
            awaitCount(server, Counter.TLS_HANDSHAKE_FAILURES, 1);
        }
    }

    private static SmtpLines.ClientSetup offering(String version, String... suites) {
        return tls -> {
            tls.setEnabledProtocols(new String[] {version});
            tls.setEnabledCipherSuites(suites);
        };
    }

    /**
     * A handshake that fails after STARTTLS's 220 (the client speaks clear text instead) closes the
     * connection: counted, logged, no onSecure, no reply; the server goes on serving.
     */
    @Test
    void aFailedHandshakeAfterStartTlsClosesTheConnection() throws Exception {
        Recorder h = new Recorder();
        TestServer server = start(h, Where.STARTTLS, b -> { });
        try (SmtpLines io = reachTls(server, Where.STARTTLS)) {
            io.send("EHLO still-in-clear.test\r\nMAIL FROM:<evil@example.org>\r\n");
            assertThat(io.isClosedByServer()).isTrue();
        }
        awaitCount(server, Counter.TLS_HANDSHAKE_FAILURES, 1);
        assertThat(server.metrics().get(Counter.TLS_HANDSHAKES)).isZero();
        assertThat(h.secured).isEmpty();
        assertThat(h.log).anyMatch(l -> l.startsWith("INFO TLS handshake failed: "));
        try (SmtpLines io = reachTls(server, Where.STARTTLS)) {
            io.startTls(TestTls.client(null));
            assertThat(io.cmd("EHLO client.test")).startsWith("250-mx.test");
        }
        assertThat(server.metrics().get(Counter.TLS_HANDSHAKES)).isEqualTo(1);
    }

    /**
     * onSecure failing with something other than a rejection: 421 4.3.0 over the new TLS layer, then the
     * connection closes; the client never gets to EHLO (implicit TLS: never greeted, onConnect not run).
     */
    @ParameterizedTest(name = "{0}, non-blocking hooks: {1}")
    @CsvSource({"STARTTLS, false", "STARTTLS, true", "IMPLICIT, false", "IMPLICIT, true"})
    void anOnSecureFailureIs421AndTheConnectionCloses(Where where, boolean nonBlocking) throws Exception {
        Recorder h = new Recorder() {
            @Override
            public boolean isNonBlocking() {
                return nonBlocking;
            }

            @Override
            public void onSecure(SmtpSession session) {
                throw new IllegalStateException("revocation list unavailable");
            }
        };
        TestServer server = start(h, where, b -> { });
        int connectsBefore;
        try (SmtpLines io = reachTls(server, where)) {
            connectsBefore = h.connected.size();
            io.startTls(TestTls.client(null));
            assertThat(io.reply()).isEqualTo("421 4.3.0 Error: local problem; closing connection");
            assertThat(io.isClosedByServer()).isTrue();
        }
        assertThat(h.connected).hasSize(connectsBefore);
        assertThat(server.metrics().get(Counter.HOOK_FAILURES)).isEqualTo(1);
        assertThat(h.log).contains("ERROR onSecure failed");
    }

    /** TLS material that cannot work fails the server's build, naming what is wrong, not the first client. */
    @Test
    void unusableTlsMaterialFailsTheStart(@TempDir Path dir) throws Exception {
        Path missingCa = dir.resolve("no-such-ca.pem");
        assertThatThrownBy(() -> start(new Recorder(), Where.STARTTLS, b -> b.clientAuth(TlsConfig.ClientAuth.REQUIRE)
                .clientCaFile(missingCa))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("client CA file").hasMessageContaining("no-such-ca.pem");
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        TestTls.writePem(TestTls.SERVER, cert, key);
        java.nio.file.Files.writeString(key, "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
        assertThatThrownBy(() -> servers.start(new Recorder(), c -> c.tls(TlsConfig.pem(cert, key).build())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(key.toString());
        // a CA file is only read when client certificates are asked for
        TestServer server = start(new Recorder(), Where.STARTTLS, b -> b.clientCaFile(missingCa));
        try (SmtpLines io = reachTls(server, Where.STARTTLS)) {
            io.startTls(TestTls.client(null));
            assertThat(io.cmd("EHLO client.test")).startsWith("250-mx.test");
        }
    }
}
