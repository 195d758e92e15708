package dev.postern.tls;

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
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@link TlsInfo} tells hooks on a real connection: the key size, when TLS began, and with
 * {@code clientAuth OPTIONAL} an untrusted client certificate let in with its verification error.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsDetailsSocketTest {

    @RegisterExtension
    final TestServers servers = new TestServers();

    private static final TlsConfig.KeyMaterial CLIENT = new TlsConfig.SelfSigned(List.of("client.test")).generate();

    /** The TLS details onSecure saw, and when the session was accepted. */
    static final class Seen implements SmtpHandler {
        final BlockingQueue<TlsInfo> tls = new LinkedBlockingQueue<>();
        final BlockingQueue<Instant> connectedAt = new LinkedBlockingQueue<>();

        @Override
        public void onSecure(SmtpSession session) {
            tls.add(session.tls().orElseThrow());
            connectedAt.add(session.connectedAt());
        }
    }

    private static TlsInfo secure(TestServer server, Seen seen, TlsConfig.KeyMaterial clientKey) throws Exception {
        try (SmtpLines io = SmtpLines.connect(server.port())) {
            assertThat(io.reply()).startsWith("220");
            io.cmd("EHLO client.test");
            assertThat(io.cmd("STARTTLS")).startsWith("220 2.0.0");
            io.startTls(TestTls.client(clientKey));
            assertThat(io.cmd("EHLO client.test")).startsWith("250-mx.test");
        }
        return seen.tls.poll(10, TimeUnit.SECONDS);
    }

    @Test
    void keySizeAndTimeOfTheHandshake() throws Exception {
        Seen seen = new Seen();
        TestServer server = servers.start(seen, c -> c.tls(TestTls.serverTls().build()));
        Instant before = Instant.now();
        TlsInfo tls = secure(server, seen, null);
        assertThat(tls.keySize()).isPositive().isEqualTo(TlsInfo.keySizeOf(tls.cipherSuite()));
        assertThat(tls.establishedAt()).isAfterOrEqualTo(seen.connectedAt.poll()).isAfterOrEqualTo(before.minusSeconds(1))
                .isBeforeOrEqualTo(Instant.now());
        assertThat(tls.peerCertificateError()).isNull();
        assertThat(tls.peerCertificateVerified()).isFalse(); // none sent
    }

    /**
     * As {@link TlsConfig.ClientAuth#OPTIONAL} promises: a certificate the CA file does not vouch for
     * lets the client in, and hooks see why it did not verify; a trusted one verifies.
     */
    @ParameterizedTest(name = "implicit TLS: {0}")
    @ValueSource(booleans = {false, true})
    void anUntrustedOptionalClientCertificateIsLetInWithItsError(boolean implicit, @TempDir Path dir) throws Exception {
        Path ca = dir.resolve("client-ca.pem");
        TestTls.writePem(CLIENT, ca, dir.resolve("client.key"));
        Seen seen = new Seen();
        TestServer server = servers.start(seen, c -> {
            c.tls(TestTls.serverTls().clientAuth(TlsConfig.ClientAuth.OPTIONAL).clientCaFile(ca).build());
            if (implicit) {
                c.clearListeners().listen(TestServer.loopback().withImplicitTls());
            }
        });
        TlsConfig.KeyMaterial stranger = new TlsConfig.SelfSigned(List.of("stranger.test")).generate();
        for (TlsConfig.KeyMaterial key : new TlsConfig.KeyMaterial[] {stranger, CLIENT}) {
            try (SmtpLines io = SmtpLines.connect(server.port())) {
                if (!implicit) {
                    assertThat(io.reply()).startsWith("220");
                    io.cmd("EHLO client.test");
                    assertThat(io.cmd("STARTTLS")).startsWith("220 2.0.0");
                }
                io.startTls(TestTls.client(key));
                assertThat(implicit ? io.reply() : io.cmd("EHLO client.test")).startsWith(implicit ? "220 mx.test" : "250-mx.test");
                assertThat(io.cmd("NOOP")).startsWith("250");
            }
            TlsInfo tls = seen.tls.poll(10, TimeUnit.SECONDS);
            assertThat(tls.implicit()).isEqualTo(implicit);
            assertThat(tls.peerSubject()).contains(key == CLIENT ? "CN=client.test" : "CN=stranger.test");
            if (key == CLIENT) {
                assertThat(tls.peerCertificateError()).isNull();
                assertThat(tls.peerCertificateVerified()).isTrue();
            } else {
                assertThat(tls.peerCertificateError()).isNotBlank();
                assertThat(tls.peerCertificateVerified()).isFalse();
            }
        }
    }

    @Test
    void keySizesByName() {
        assertThat(TlsInfo.keySizeOf("TLS_AES_256_GCM_SHA384")).isEqualTo(256);
        assertThat(TlsInfo.keySizeOf("TLS_AES_128_GCM_SHA256")).isEqualTo(128);
        assertThat(TlsInfo.keySizeOf("TLS_CHACHA20_POLY1305_SHA256")).isEqualTo(256);
        assertThat(TlsInfo.keySizeOf("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256")).isEqualTo(128);
        assertThat(TlsInfo.keySizeOf("TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_GCM_SHA384")).isEqualTo(256);
        assertThat(TlsInfo.keySizeOf("TLS_RSA_WITH_3DES_EDE_CBC_SHA")).isEqualTo(168);
        assertThat(TlsInfo.keySizeOf("SSL_RSA_WITH_RC4_128_MD5")).isEqualTo(128);
        assertThat(TlsInfo.keySizeOf("TLS_RSA_WITH_NULL_SHA256")).isZero();
        assertThat(TlsInfo.keySizeOf(null)).isZero();
        TlsInfo old = new TlsInfo("TLSv1.3", "TLS_AES_256_GCM_SHA384", List.of(), null, false);
        assertThat(old.keySize()).isEqualTo(256);
        assertThat(old.establishedAt()).isEqualTo(Instant.EPOCH);
    }
}
