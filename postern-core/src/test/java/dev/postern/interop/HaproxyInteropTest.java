package dev.postern.interop;

import dev.postern.interop.ClientRecorder.Delivered;
import dev.postern.interop.ClientRecorder.Seen;
import dev.postern.proxy.ProxyInfo;
import dev.postern.proxy.SslTlv;
import dev.postern.proxy.Tlv;
import dev.postern.testing.ExternalTool;
import dev.postern.testing.PeerProcess;
import dev.postern.testing.TestServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import javax.net.ssl.KeyManagerFactory;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HAProxy 2.6 in TCP mode in front of Postern, as a child process on loopback. The client connects
 * from 127.0.0.9 and HAProxy from 127.0.0.1, so the hooks can tell the real client from the proxy.
 */
class HaproxyInteropTest extends InteropTestBase {

    /**
     * A plain TCP relay. {@code SEND_PROXY} is {@code send-proxy} (v1, text) or {@code send-proxy-v2}
     * (binary); Postern reads either, for IPv4 and IPv6 clients. The listener must trust HAProxy's address
     * (here 127.0.0.1/32).
     */
    static final String TCP_RELAY = HAPROXY_PREAMBLE + """

            frontend smtp
                bind 127.0.0.1:${PROXY_PORT}
                bind [::1]:${PROXY_PORT}
                default_backend postern

            backend postern
                server mx1 127.0.0.1:${POSTERN_PORT} ${SEND_PROXY}
            """;

    /**
     * HAProxy terminates implicit TLS (port-465 style) and passes plain SMTP on, telling Postern in
     * PROXY v2 TLVs how the client connected: TLS version and cipher, the client certificate's CN when
     * it presented one (verified against {@code CLIENT_CA}), the SNI it asked for, a unique id to
     * correlate both logs, and a CRC32C of the header.
     */
    static final String TLS_TERMINATION = HAPROXY_PREAMBLE + """

            frontend smtps
                bind 127.0.0.1:${PROXY_PORT} ssl crt ${CERT_PEM} verify optional ca-file ${CLIENT_CA}
                unique-id-format "%{+X}o %ci:%cp_%fi:%fp_%Ts_%rt:%pid"
                default_backend postern

            backend postern
                server mx1 127.0.0.1:${POSTERN_PORT} send-proxy-v2 proxy-v2-options ssl,cert-cn,ssl-cipher,cert-sig,cert-key,authority,crc32c,unique-id
            """;

    /**
     * SMTP health checks through the same PROXY header setting as the traffic ({@code SEND_PROXY}). HAProxy
     * opens each check with a header about its own connection: v1 names the check socket's addresses, v2
     * says {@code LOCAL}. Either way Postern sees HAProxy itself as the client, and answers the check.
     */
    static final String HEALTH_CHECKED = HAPROXY_PREAMBLE + """

            frontend smtp
                bind 127.0.0.1:${PROXY_PORT}
                default_backend postern

            backend postern
                option smtpchk EHLO haproxy.test
                option log-health-checks
                server mx1 127.0.0.1:${POSTERN_PORT} ${SEND_PROXY} check inter 300ms
            """;

    /**
     * Two hops: an edge relay speaks v1 to an inner one that reads it ({@code accept-proxy}) and passes
     * the same client on to Postern in v2. (One HAProxy process plays both, for the test.)
     */
    static final String TWO_HOPS = HAPROXY_PREAMBLE + """

            frontend edge
                bind 127.0.0.1:${PROXY_PORT}
                default_backend inner

            backend inner
                server inner1 127.0.0.1:${INNER_PORT} send-proxy

            frontend inner
                bind 127.0.0.1:${INNER_PORT} accept-proxy
                default_backend postern

            backend postern
                server mx1 127.0.0.1:${POSTERN_PORT} send-proxy-v2
            """;

    private TestServer server;
    private PeerProcess haproxy;
    private int proxyPort;

    @BeforeEach
    void startBehindHaproxy() throws Exception {
        server = startPostern(c -> c.clearListeners().listen(requiringProxyFrom(PROXY_IP + "/32")));
        proxyPort = PeerProcess.freePort();
    }

    private void startHaproxy(String template, Map<String, Object> values) throws Exception {
        haproxy = startHaproxy(template, proxyPort, server.port(), values);
    }

    @Test
    void sendProxyV1TellsTheRealClient() throws Exception {
        startHaproxy(TCP_RELAY, Map.of("SEND_PROXY", "send-proxy"));
        assertRelayedThroughHaproxy(1);
    }

    @Test
    void sendProxyV2TellsTheRealClient() throws Exception {
        startHaproxy(TCP_RELAY, Map.of("SEND_PROXY", "send-proxy-v2"));
        assertRelayedThroughHaproxy(2);
    }

    private void assertRelayedThroughHaproxy(int version) throws Exception {
        int clientPort = PeerProcess.freePort(CLIENT_IP);
        MailClient.sendOne(CLIENT_IP, clientPort, proxyPort, "through haproxy v" + version);
        assertRelayed(haproxy, new InetSocketAddress(CLIENT_IP, clientPort), new InetSocketAddress(PROXY_IP, proxyPort),
                version, ProxyInfo.Transport.TCP4, "through haproxy v" + version);
    }

    @Test
    void theClientSurvivesTwoProxyHops() throws Exception {
        int innerPort = PeerProcess.freePort();
        startHaproxy(TWO_HOPS, Map.of("INNER_PORT", innerPort));
        int clientPort = PeerProcess.freePort(CLIENT_IP);
        MailClient.sendOne(CLIENT_IP, clientPort, proxyPort, "through two hops");
        // The address reached is the edge's, not the inner hop's.
        assertRelayed(haproxy, new InetSocketAddress(CLIENT_IP, clientPort), new InetSocketAddress(PROXY_IP, proxyPort),
                2, ProxyInfo.Transport.TCP4, "through two hops");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"send-proxy, 1", "send-proxy-v2, 2"})
    void ipv6ClientBehindAnIpv4Hop(String sendProxy, int version) throws Exception {
        startHaproxy(TCP_RELAY, Map.of("SEND_PROXY", sendProxy));
        int clientPort = PeerProcess.freePort("::1");
        try (MailClient c = new MailClient("::1", clientPort, "::1", proxyPort)) {
            c.send("from IPv6");
        }
        assertRelayed(haproxy, new InetSocketAddress("::1", clientPort), new InetSocketAddress("::1", proxyPort),
                version, ProxyInfo.Transport.TCP6, "from IPv6");
    }

    @Test
    void tlsTerminationSendsV2TlvsWithUniqueIdSslAuthorityAndCrc32c() throws Exception {
        startTlsTermination();
        String negotiatedProtocol;
        String negotiatedCipher;
        int clientPort;
        try (TlsSmtpClient c = new TlsSmtpClient(CLIENT_IP, proxyPort, "mx.test")) {
            negotiatedProtocol = c.tlsSession().getProtocol();
            negotiatedCipher = c.tlsSession().getCipherSuite();
            clientPort = c.localPort();
            assertThat(c.reply()).startsWith("220 mx.test");
            assertThat(c.cmd("EHLO client.test")).startsWith("250");
            assertThat(c.cmd("MAIL FROM:<sender@client.test>")).startsWith("250");
            assertThat(c.cmd("RCPT TO:<rcpt@mx.test>")).startsWith("250");
            assertThat(c.cmd("DATA")).startsWith("354");
            assertThat(c.cmd("Subject: over TLS to haproxy\r\n\r\nhello\r\n.")).startsWith("250");
            assertThat(c.cmd("QUIT")).startsWith("221");
        }

        Seen connect = recorder.nextConnect();
        assertThat(connect.remote()).isEqualTo(new InetSocketAddress(CLIENT_IP, clientPort));
        assertThat(connect.socketRemoteIp()).isEqualTo(PROXY_IP);
        ProxyInfo p = connect.proxy().orElseThrow();
        assertThat(p.version()).isEqualTo(2);
        // The header carried a checksum and Postern verified it (a bad one closes the connection).
        assertThat(p.tlv(Tlv.CRC32C)).hasSize(1);
        assertThat(p.authority()).contains("mx.test");
        // %{+X}o: the client address and port in hex, as the unique-id-format says.
        String uniqueId = new String(p.uniqueId().orElseThrow(), StandardCharsets.US_ASCII);
        assertThat(uniqueId).startsWith(String.format(Locale.ROOT, "7F000009:%04X_7F000001:%04X_", clientPort, proxyPort));
        SslTlv ssl = p.ssl().orElseThrow();
        assertThat(ssl.isSsl()).isTrue();
        assertThat(ssl.hasCertificateOnConnection()).isFalse();
        assertThat(ssl.version()).contains(negotiatedProtocol);
        assertThat(ssl.cipher()).contains(negotiatedCipher);
        assertThat(ssl.signatureAlgorithm()).contains("RSA-SHA256");
        assertThat(ssl.keyAlgorithm()).contains("RSA2048");
        assertThat(ssl.commonName()).isEmpty();

        Delivered m = recorder.nextMessage();
        assertThat(m.session().sessionId()).isEqualTo(connect.sessionId());
        assertThat(m.session().remoteIp()).isEqualTo(CLIENT_IP);
        assertThat(m.content()).contains("Subject: over TLS to haproxy");
        assertThat(recorder.problems()).as("haproxy said:\n" + haproxy.output()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"send-proxy, 1", "send-proxy-v2, 2"})
    void smtpHealthChecksKeepTheProxyAsClientAndPass(String sendProxy, int version) throws Exception {
        startHaproxy(HEALTH_CHECKED, Map.of("SEND_PROXY", sendProxy));
        for (int i = 0; i < 3; i++) {
            Seen check = recorder.nextConnect();
            ProxyInfo p = check.proxy().orElseThrow();
            assertThat(p.version()).isEqualTo(version);
            if (version == 1) {
                assertThat(p.command()).isEqualTo(ProxyInfo.Command.PROXY);
                assertThat(p.source()).as("HAProxy's own check connection").isEqualTo(check.socketRemote());
            } else {
                assertThat(p.command()).isEqualTo(ProxyInfo.Command.LOCAL);
                assertThat(p.hasClientAddress()).isFalse();
            }
            assertThat(check.remoteIp()).as("LOCAL: the proxy's own connection").isEqualTo(PROXY_IP);
            assertThat(check.remote()).isEqualTo(check.socketRemote());
        }
        awaitOutput("Health check for server postern/mx1 succeeded", Duration.ofSeconds(5));
        assertThat(haproxy.output()).doesNotContain("failed");
        assertThat(recorder.problems()).isEmpty();
    }

    @Test
    void twentyMessagesOverFiveConcurrentConnectionsKeepTheirClients() throws Exception {
        startHaproxy(TCP_RELAY, Map.of("SEND_PROXY", "send-proxy-v2"));
        List<String> sources = List.of("127.0.0.11", "127.0.0.12", "127.0.0.13", "127.0.0.14", "127.0.0.15");
        List<Callable<Void>> clients = new ArrayList<>();
        for (String source : sources) {
            clients.add(() -> {
                try (MailClient c = new MailClient(source, proxyPort)) {
                    for (int i = 0; i < 4; i++) {
                        c.send("from " + source + " #" + i);
                    }
                }
                return null;
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(sources.size());
        try {
            for (Future<Void> f : pool.invokeAll(clients, 30, TimeUnit.SECONDS)) {
                f.get(); // rethrows a client's failure; a cancelled (late) client throws too
            }
        } finally {
            pool.shutdownNow();
        }

        List<Delivered> delivered = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            delivered.add(recorder.nextMessage());
        }
        for (Delivered m : delivered) {
            assertThat(m.content()).as("the message names the source its hooks saw")
                    .contains("Subject: from " + m.session().remoteIp() + " #");
            assertThat(m.session().socketRemoteIp()).isEqualTo(PROXY_IP);
        }
        Map<String, List<String>> sessionsBySource = delivered.stream().collect(Collectors.groupingBy(
                m -> m.session().remoteIp(), Collectors.mapping(m -> m.session().sessionId(), Collectors.toList())));
        assertThat(sessionsBySource).containsOnlyKeys(sources);
        sessionsBySource.forEach((source, ids) -> assertThat(ids).as(source).hasSize(4).containsOnly(ids.get(0)));
        assertThat(sessionsBySource.values().stream().map(ids -> ids.get(0)).distinct()).hasSize(5);

        List<Seen> connects = new ArrayList<>();
        recorder.connects.drainTo(connects);
        assertThat(connects).extracting(Seen::remoteIp).containsExactlyInAnyOrderElementsOf(sources);
        assertThat(recorder.problems()).isEmpty();
    }

    @Test
    void clientCertificateCommonNameReachesTheHooks() throws Exception {
        startTlsTermination();
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve("client.test.p12"))) {
            store.load(in, "test".toCharArray());
        }
        keys.init(store, "test".toCharArray());
        try (TlsSmtpClient c = new TlsSmtpClient(CLIENT_IP, proxyPort, "mx.test", keys.getKeyManagers())) {
            assertThat(c.reply()).startsWith("220 mx.test");
            assertThat(c.cmd("QUIT")).startsWith("221");
        }

        Seen connect = recorder.nextConnect();
        assertThat(connect.remoteIp()).isEqualTo(CLIENT_IP);
        SslTlv ssl = connect.proxy().orElseThrow().ssl().orElseThrow();
        assertThat(ssl.isSsl()).isTrue();
        assertThat(ssl.hasCertificateOnConnection()).isTrue();
        assertThat(ssl.hasCertificateInSession()).isTrue();
        assertThat(ssl.isVerified()).isTrue();
        assertThat(ssl.commonName()).contains("client.test");
        assertThat(recorder.problems()).isEmpty();
    }

    /** HAProxy with the {@link #TLS_TERMINATION} config and fresh self-signed certificates for both ends. */
    private void startTlsTermination() throws Exception {
        Path server = selfSigned("mx.test");
        Path client = selfSigned("client.test");
        // For the Java client's KeyManager.
        openssl("pkcs12", "-export", "-in", client.toString(), "-passout", "pass:test",
                "-out", dir.resolve("client.test.p12").toString());
        // The client certificate is self-signed, so it is its own CA.
        startHaproxy(TLS_TERMINATION, Map.of("CERT_PEM", server, "CLIENT_CA", client));
    }

    /** A self-signed RSA certificate and its key in one PEM file, as HAProxy's "crt" takes them. */
    private Path selfSigned(String commonName) throws Exception {
        Path key = dir.resolve(commonName + ".key");
        Path cert = dir.resolve(commonName + ".crt");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + commonName, "-days", "1",
                "-keyout", key.toString(), "-out", cert.toString());
        Path pem = dir.resolve(commonName + ".pem");
        Files.writeString(pem, Files.readString(cert) + Files.readString(key));
        return pem;
    }

    private static void openssl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        ExternalTool.Result r = ExternalTool.run(Duration.ofSeconds(30), cmd);
        assertThat(r.exitCode()).as(String.join(" ", cmd) + "\n" + r.output()).isZero();
    }

    private void awaitOutput(String text, Duration deadline) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (!haproxy.output().contains(text)) {
            if (System.nanoTime() > end) {
                throw new AssertionError("haproxy did not print '" + text + "' within " + deadline + ":\n" + haproxy.output());
            }
            Thread.sleep(50);
        }
    }
}
