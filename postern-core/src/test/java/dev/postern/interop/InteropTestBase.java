package dev.postern.interop;

import dev.postern.Listener;
import dev.postern.SmtpServerConfig;
import dev.postern.interop.ClientRecorder.Delivered;
import dev.postern.interop.ClientRecorder.Seen;
import dev.postern.proxy.ProxyInfo;
import dev.postern.proxy.ProxyProtocolMode;
import dev.postern.proxy.TrustedSources;
import dev.postern.testing.ExternalTool;
import dev.postern.testing.PeerProcess;
import dev.postern.testing.Swaks;
import dev.postern.testing.TestServer;
import dev.postern.testing.TestServers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the interop tests share: Postern with a {@link ClientRecorder} as its handler, real peers in
 * front of it (HAProxy, nginx) started from config templates, and the order everything stops in: the
 * peers first (this class's {@code @AfterEach}), then the server ({@link TestServers}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class InteropTestBase {

    /** Where the test clients connect from, so that the hooks can tell them from the proxy. */
    static final String CLIENT_IP = "127.0.0.9";
    /** Where the proxies connect to Postern from. */
    static final String PROXY_IP = "127.0.0.1";

    static final String HAPROXY = "/usr/sbin/haproxy";
    static final String NGINX = "/usr/sbin/nginx";

    /** The global and defaults sections every HAProxy configuration here shares: TCP mode, logs to stderr. */
    static final String HAPROXY_PREAMBLE = """
            global
                log stderr format raw local0 info

            defaults
                mode    tcp
                log     global
                option  tcplog
                timeout connect 5s
                timeout check   5s
                timeout client  1m
                timeout server  1m
            """;

    @TempDir
    Path dir;

    @RegisterExtension
    final TestServers servers = new TestServers();

    final ClientRecorder recorder = new ClientRecorder();

    private final List<PeerProcess> peers = new ArrayList<>();

    @AfterEach
    void stopPeers() throws InterruptedException {
        for (PeerProcess peer : peers.reversed()) {
            peer.close();
        }
    }

    /** Postern reporting to {@link #recorder}; {@code config} changes the {@link TestServer} defaults. */
    TestServer startPostern(Consumer<SmtpServerConfig.Builder> config) throws IOException {
        return servers.start(recorder, config);
    }

    /** A listener on 127.0.0.1 that requires a PROXY header from {@code trusted} sources. */
    static Listener requiringProxyFrom(String trusted) {
        return TestServer.loopback().withProxyProtocol(ProxyProtocolMode.REQUIRED, TrustedSources.parse(trusted));
    }

    /**
     * What the hooks must have seen of one message that {@code proxy} relayed from {@code client}: the
     * real client, the proxy's {@code listener} as the address reached, a PROXY header of {@code version}
     * and {@code transport}, the message in the same session, and no warning in Postern's log.
     */
    void assertRelayed(PeerProcess proxy, InetSocketAddress client, InetSocketAddress listener, int version,
                       ProxyInfo.Transport transport, String subject) throws InterruptedException {
        Seen connect = recorder.nextConnect();
        assertThat(connect.remote()).isEqualTo(client);
        assertThat(connect.socketRemoteIp()).isEqualTo(PROXY_IP);
        assertThat(connect.local()).as("the address the client reached: the proxy's listener").isEqualTo(listener);
        ProxyInfo p = connect.proxy().orElseThrow();
        assertThat(p.version()).isEqualTo(version);
        assertThat(p.command()).isEqualTo(ProxyInfo.Command.PROXY);
        assertThat(p.transport()).isEqualTo(transport);

        Delivered m = recorder.nextMessage();
        assertThat(m.session().sessionId()).isEqualTo(connect.sessionId());
        assertThat(m.session().remote()).isEqualTo(client);
        assertThat(m.session().socketRemoteIp()).isEqualTo(PROXY_IP);
        assertThat(m.content()).contains("Subject: " + subject);
        assertThat(recorder.problems()).as(proxy.name() + " said:\n" + proxy.output()).isEmpty();
    }

    /**
     * swaks from {@code localAddress} to 127.0.0.1:{@code port}, sending one message from sender@swaks.test
     * to rcpt@mx.test with {@code subject}, with {@code options} after.
     */
    static ExternalTool.Result swaksFrom(String localAddress, int port, String subject, String... options) throws Exception {
        List<String> all = new ArrayList<>(List.of("--local-interface", localAddress,
                "--from", "sender@swaks.test", "--to", "rcpt@mx.test", "--header", "Subject: " + subject));
        all.addAll(List.of(options));
        return Swaks.run(port, all.toArray(String[]::new));
    }

    /**
     * HAProxy in the foreground, listening on {@code proxyPort} and passing on to {@code posternPort}:
     * {@code template}'s {@code ${PROXY_PORT}} and {@code ${POSTERN_PORT}} are filled in with those, the
     * rest from {@code values}. {@code haproxy -c} checks the file first, so a bad one fails in HAProxy's words.
     */
    PeerProcess startHaproxy(String template, int proxyPort, int posternPort, Map<String, Object> values) throws Exception {
        Map<String, Object> all = new HashMap<>(values);
        all.put("PROXY_PORT", proxyPort);
        all.put("POSTERN_PORT", posternPort);
        String cfg = PeerProcess.writeConfig(dir.resolve("haproxy.cfg"), template, all).toString();
        return startPeer("haproxy", List.of(HAPROXY, "-c", "-f", cfg), List.of(HAPROXY, "-db", "-f", cfg), proxyPort);
    }

    /** nginx in the foreground with {@code template}: as {@link #startHaproxy}, {@code ${DIR}} being the test's directory. */
    PeerProcess startNginx(String template, int proxyPort, int posternPort) throws Exception {
        String conf = PeerProcess.writeConfig(dir.resolve("nginx.conf"), template,
                Map.of("DIR", dir, "PROXY_PORT", proxyPort, "POSTERN_PORT", posternPort)).toString();
        List<String> options = List.of("-e", "stderr", "-p", dir.toString(), "-c", conf, "-g", "daemon off;");
        List<String> check = new ArrayList<>(List.of(NGINX, "-t"));
        check.addAll(options);
        List<String> run = new ArrayList<>(List.of(NGINX));
        run.addAll(options);
        return startPeer("nginx", check, run, proxyPort);
    }

    private PeerProcess startPeer(String name, List<String> check, List<String> run, int port) throws Exception {
        ExternalTool.Result checked = ExternalTool.run(Duration.ofSeconds(10), check);
        assertThat(checked.exitCode()).as(String.join(" ", check) + ":\n" + checked.output()).isZero();
        PeerProcess peer = PeerProcess.start(name, dir, run, port, Duration.ofSeconds(5));
        peers.add(peer);
        return peer;
    }
}
