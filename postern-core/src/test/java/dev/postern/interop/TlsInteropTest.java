package dev.postern.interop;

import dev.postern.SmtpServerConfig;
import dev.postern.interop.ClientRecorder.Delivered;
import dev.postern.interop.ClientRecorder.Seen;
import dev.postern.testing.ExternalTool;
import dev.postern.testing.PeerProcess;
import dev.postern.testing.TestServer;
import dev.postern.testing.TestTls;
import dev.postern.tls.StartTlsMode;
import dev.postern.tls.TlsInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TLS with real peers: swaks (Perl's IO::Socket::SSL, i.e. OpenSSL) with STARTTLS and with TLS on
 * connect, and HAProxy relaying TLS untouched to an implicit-TLS listener with a PROXY v2 header in
 * front, which Postern must read before the handshake.
 */
class TlsInteropTest extends InteropTestBase {

    /** HAProxy passes TLS through (TCP mode) and puts a PROXY v2 header in front of it. */
    static final String TLS_PASSTHROUGH = HAPROXY_PREAMBLE + """

            frontend smtps
                bind 127.0.0.1:${PROXY_PORT}
                default_backend postern

            backend postern
                server mx1 127.0.0.1:${POSTERN_PORT} send-proxy-v2
            """;

    /** Postern with the test certificate; {@code config} picks the listener and the STARTTLS mode. */
    private TestServer startWithCertificate(Consumer<SmtpServerConfig.Builder> config) throws IOException {
        return startPostern(c -> config.accept(c.tls(TestTls.serverTls().build())));
    }

    private static ExternalTool.Result swaks(int port, String... options) throws Exception {
        return swaksFrom(CLIENT_IP, port, "swaks over TLS", options);
    }

    private void assertDeliveredOverTls(ExternalTool.Result r, boolean implicit) throws InterruptedException {
        assertThat(r.exitCode()).as(r.output()).isZero();
        Delivered m = recorder.nextMessage();
        assertThat(m.session().remoteIp()).isEqualTo(CLIENT_IP);
        TlsInfo tls = m.session().tls().orElseThrow();
        assertThat(tls.implicit()).isEqualTo(implicit);
        assertThat(tls.protocol()).isIn("TLSv1.3", "TLSv1.2");
        assertThat(m.content()).contains("Subject: swaks over TLS");
        assertThat(recorder.problems()).isEmpty();
    }

    @ParameterizedTest(name = "STARTTLS {0}")
    @ValueSource(strings = {"OPTIONAL", "REQUIRED"})
    void swaksStartTls(StartTlsMode mode) throws Exception {
        TestServer server = startWithCertificate(c -> c.startTls(mode));
        ExternalTool.Result r = swaks(server.port(), "--tls");
        assertThat(r.output()).contains("<-  250 STARTTLS", "<-  220 2.0.0 Ready to start TLS", "=== TLS started with cipher");
        assertDeliveredOverTls(r, false);
    }

    @Test
    void swaksWithoutTlsIsRefusedWhenTlsIsRequired() throws Exception {
        TestServer server = startWithCertificate(c -> c.startTls(StartTlsMode.REQUIRED));
        ExternalTool.Result r = swaks(server.port());
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.output()).contains("530 5.7.0 Must issue a STARTTLS command first");
        assertThat(recorder.messages).isEmpty();
    }

    @Test
    void swaksTlsOnConnect() throws Exception {
        TestServer server = startWithCertificate(c -> c.clearListeners().listen(TestServer.loopback().withImplicitTls()));
        ExternalTool.Result r = swaks(server.port(), "--tls-on-connect");
        assertThat(r.output()).contains("=== TLS started with cipher", "<~  220 mx.test");
        assertDeliveredOverTls(r, true);
    }

    @ParameterizedTest(name = "PROXY v{0}")
    @ValueSource(ints = {1, 2})
    void swaksSendsThePROXYHeaderBeforeTheTlsHandshake(int version) throws Exception {
        TestServer server = startWithCertificate(c -> c.clearListeners().listen(requiringProxyFrom(CLIENT_IP + "/32").withImplicitTls()));
        ExternalTool.Result r = swaks(server.port(), "--tls-on-connect", "--proxy-version", String.valueOf(version),
                "--proxy-family", version == 1 ? "TCP4" : "AF_INET", "--proxy-source", "192.0.2.10",
                "--proxy-source-port", "40000", "--proxy-dest", "198.51.100.1", "--proxy-dest-port", "465");
        assertThat(r.exitCode()).as(r.output()).isZero();
        Seen connect = recorder.nextConnect();
        assertThat(connect.remote()).isEqualTo(new InetSocketAddress("192.0.2.10", 40000));
        assertThat(connect.socketRemoteIp()).isEqualTo(CLIENT_IP);
        assertThat(connect.tls()).isPresent();
        assertThat(recorder.nextMessage().session().remote()).isEqualTo(new InetSocketAddress("192.0.2.10", 40000));
    }

    @Test
    void haproxyPassesTlsThroughWithAProxyV2HeaderInFront() throws Exception {
        TestServer server = startWithCertificate(c -> c.clearListeners().listen(requiringProxyFrom("127.0.0.1/32").withImplicitTls()));
        int proxyPort = PeerProcess.freePort();
        startHaproxy(TLS_PASSTHROUGH, proxyPort, server.port(), Map.of());

        ExternalTool.Result r = swaks(proxyPort, "--tls-on-connect");
        assertDeliveredOverTls(r, true);
        Seen connect = recorder.nextConnect();
        assertThat(connect.remoteIp()).isEqualTo(CLIENT_IP);
        assertThat(connect.socketRemoteIp()).isEqualTo("127.0.0.1");
        assertThat(connect.proxy().orElseThrow().version()).isEqualTo(2);
    }
}
