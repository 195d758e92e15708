package dev.postern.interop;

import dev.postern.testing.V2Header;
import dev.postern.Listener;
import dev.postern.SmtpServer;
import dev.postern.SmtpServerConfig;
import dev.postern.interop.ClientRecorder.Delivered;
import dev.postern.interop.ClientRecorder.Seen;
import dev.postern.proxy.ProxyProtocolMode;
import dev.postern.proxy.TrustedSources;
import dev.postern.testing.ExternalTool;
import dev.postern.testing.TestTls;
import dev.postern.tls.StartTlsMode;
import dev.postern.tls.TlsConfig;
import dev.postern.tls.TlsInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TLS with real peers: swaks (Perl's IO::Socket::SSL, i.e. OpenSSL) with STARTTLS and with TLS on
 * connect, and HAProxy relaying TLS untouched to an implicit-TLS listener with a PROXY v2 header in
 * front, which Postern must read before the handshake.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsInteropTest {

    static final String CLIENT_IP = "127.0.0.9";

    /** HAProxy passes TLS through (TCP mode) and puts a PROXY v2 header in front of it. */
    static final String TLS_PASSTHROUGH = HaproxyInteropTest.PREAMBLE + """

            frontend smtps
                bind 127.0.0.1:${PROXY_PORT}
                default_backend postern

            backend postern
                server mx1 127.0.0.1:${POSTERN_PORT} send-proxy-v2
            """;

    @TempDir
    Path dir;

    private final ClientRecorder recorder = new ClientRecorder();
    private final List<AutoCloseable> running = new ArrayList<>();

    private SmtpServer start(Consumer<SmtpServerConfig.Builder> config) throws Exception {
        SmtpServer server = SmtpServer.builder()
                .configure(c -> c.clearListeners().hostname("mx.test")
                        .tls(TlsConfig.keyMaterial(TestTls.SERVER.privateKey(), TestTls.SERVER.chain()).build()))
                .configure(config)
                .handler(recorder).build().start();
        running.add(() -> server.stop(Duration.ZERO));
        return server;
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : running.reversed()) {
            c.close();
        }
    }

    private static ExternalTool.Result swaks(int port, String... more) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("swaks", "--server", "127.0.0.1", "--port", String.valueOf(port),
                "--local-interface", CLIENT_IP, "--helo", "swaks.test", "--timeout", "10",
                "--from", "sender@swaks.test", "--to", "rcpt@mx.test", "--header", "Subject: swaks over TLS"));
        cmd.addAll(List.of(more));
        return ExternalTool.run(Duration.ofSeconds(30), cmd);
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
        SmtpServer server = start(c -> c.listen("127.0.0.1", 0).startTls(mode));
        ExternalTool.Result r = swaks(server.port(), "--tls");
        assertThat(r.output()).contains("<-  250 STARTTLS", "<-  220 2.0.0 Ready to start TLS", "=== TLS started with cipher");
        assertDeliveredOverTls(r, false);
    }

    @Test
    void swaksWithoutTlsIsRefusedWhenTlsIsRequired() throws Exception {
        SmtpServer server = start(c -> c.listen("127.0.0.1", 0).startTls(StartTlsMode.REQUIRED));
        ExternalTool.Result r = swaks(server.port());
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.output()).contains("530 5.7.0 Must issue a STARTTLS command first");
        assertThat(recorder.messages).isEmpty();
    }

    @Test
    void swaksTlsOnConnect() throws Exception {
        SmtpServer server = start(c -> c.listen(Listener.of("127.0.0.1", 0).withImplicitTls()));
        ExternalTool.Result r = swaks(server.port(), "--tls-on-connect");
        assertThat(r.output()).contains("=== TLS started with cipher", "<~  220 mx.test");
        assertDeliveredOverTls(r, true);
    }

    @ParameterizedTest(name = "PROXY v{0}")
    @ValueSource(ints = {1, 2})
    void swaksSendsThePROXYHeaderBeforeTheTlsHandshake(int version) throws Exception {
        SmtpServer server = start(c -> c.listen(Listener.of("127.0.0.1", 0)
                .withProxyProtocol(ProxyProtocolMode.REQUIRED, TrustedSources.parse(CLIENT_IP + "/32")).withImplicitTls()));
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
        SmtpServer server = start(c -> c.listen(Listener.of("127.0.0.1", 0)
                .withProxyProtocol(ProxyProtocolMode.REQUIRED, TrustedSources.parse("127.0.0.1/32")).withImplicitTls()));
        int proxyPort = PeerProcess.freePort();
        Path cfg = PeerProcess.writeConfig(dir.resolve("haproxy.cfg"), TLS_PASSTHROUGH,
                Map.of("PROXY_PORT", proxyPort, "POSTERN_PORT", server.port()));
        PeerProcess haproxy = PeerProcess.start("haproxy", dir,
                List.of(HaproxyInteropTest.HAPROXY, "-db", "-f", cfg.toString()), proxyPort, Duration.ofSeconds(5));
        running.add(haproxy::close);

        ExternalTool.Result r = swaks(proxyPort, "--tls-on-connect");
        assertDeliveredOverTls(r, true);
        Seen connect = recorder.nextConnect();
        assertThat(connect.remoteIp()).isEqualTo(CLIENT_IP);
        assertThat(connect.socketRemoteIp()).isEqualTo("127.0.0.1");
        assertThat(connect.proxy().orElseThrow().version()).isEqualTo(2);
    }
}
