package dev.postern.relay.client;

import dev.postern.relay.DeliveryReport;
import dev.postern.relay.RecipientOutcome.Status;
import dev.postern.relay.testing.Dante;
import dev.postern.relay.testing.DeliveryLog;
import dev.postern.relay.testing.Requests;
import dev.postern.relay.testing.SilentServer;
import dev.postern.relay.testing.SmtpSink;
import dev.postern.relay.testing.SystemUser;
import dev.postern.testing.PeerProcess;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static dev.postern.relay.client.SmtpSinkDeliveryTest.deliver;
import static dev.postern.relay.client.SmtpSinkDeliveryTest.statuses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Delivery through real SOCKS5 proxies (Dante's danted) to smtp-sink, with the proxies written in Exim's
 * {@code socks_proxy} syntax: no authentication, RFC 1929 username/password against a system user, and
 * failover from proxies that refuse the connection, refuse the credentials, refuse the CONNECT, or never
 * answer; the report's and the log line's {@code PRX=} item names the proxy used.
 */
class SocksProxyDeliveryTest {

    @TempDir
    Path dir;

    private int sinkPort;

    @BeforeEach
    void ports() throws Exception {
        sinkPort = PeerProcess.freePort();
    }

    private RelayClient client(String socksProxies, Duration connectTimeout) {
        return RelayClient.create(RelayClientConfig.builder().target("smtp://127.0.0.1:" + sinkPort).heloName("client.test")
                .socksProxies(socksProxies).connectTimeout(connectTimeout).commandTimeout(Duration.ofSeconds(10)).build());
    }

    @Test
    void throughAProxyWithoutAuthentication() throws Exception {
        int proxyPort = PeerProcess.freePort();
        try (SmtpSink sink = SmtpSink.start(dir, "127.0.0.1", sinkPort); Dante dante = Dante.start(dir, proxyPort, "none", 0);
             DeliveryLog log = new DeliveryLog(); RelayClient client = client("127.0.0.1 port=" + proxyPort, Duration.ofSeconds(10))) {
            DeliveryReport report = deliver(client, Requests.to(client, "a@example.net"));
            assertThat(statuses(report)).containsExactly(Status.DELIVERED);
            assertThat(report.proxy()).isEqualTo("PRX=[127.0.0.1]:" + proxyPort);
            assertThat(report.remote()).isEqualTo("127.0.0.1[127.0.0.1]:" + sinkPort);
            assertThat(log.lines()).anySatisfy(l -> assertThat(l).contains(" remote=127.0.0.1[127.0.0.1]:" + sinkPort
                    + " PRX=[127.0.0.1]:" + proxyPort + " status=delivered"));
            assertThat(sink.dumps()).hasSize(1);
        }
    }

    @Test
    void usernameAndPasswordOfASystemUser() throws Exception {
        int proxyPort = PeerProcess.freePort();
        try (SystemUser user = SystemUser.create("pstrelay1", "s3cret pass");
             SmtpSink sink = SmtpSink.start(dir, "127.0.0.1", sinkPort); Dante dante = Dante.start(dir, proxyPort, "username", 0);
             RelayClient client = client("127.0.0.1 port=" + proxyPort + " auth=name name=" + user.name() + " pass=s3cret  pass",
                     Duration.ofSeconds(10))) {
            DeliveryReport report = deliver(client, Requests.to(client, "a@example.net"));
            assertThat(statuses(report)).containsExactly(Status.DELIVERED);
            assertThat(report.proxy()).isEqualTo("PRX=[127.0.0.1]:" + proxyPort);
        }
    }

    @Test
    void refusedCredentialsDeferAndNeverFail() throws Exception {
        int proxyPort = PeerProcess.freePort();
        try (SystemUser user = SystemUser.create("pstrelay2", "right");
             SmtpSink sink = SmtpSink.start(dir, "127.0.0.1", sinkPort); Dante dante = Dante.start(dir, proxyPort, "username", 0);
             RelayClient client = client("127.0.0.1 port=" + proxyPort + " auth=name name=" + user.name() + " pass=wrong",
                     Duration.ofSeconds(10))) {
            DeliveryReport report = deliver(client, Requests.to(client, "a@example.net"));
            assertThat(statuses(report)).containsExactly(Status.DEFERRED);
            assertThat(report.outcomes().get(0).reply().text()).contains("PRX=[127.0.0.1]:" + proxyPort + " refused the credentials");
            assertThat(report.proxy()).isEqualTo("PRX=[127.0.0.1]:" + proxyPort);
            assertThat(sink.dumps()).isEmpty();
        }
    }

    @Test
    void higherPriorityFirstThenFailoverFromAClosedPort() throws Exception {
        int proxyPort = PeerProcess.freePort();
        int closed = PeerProcess.freePort();
        try (SmtpSink sink = SmtpSink.start(dir, "127.0.0.1", sinkPort); Dante dante = Dante.start(dir, proxyPort, "none", 0);
             SilentServer hangUp = SilentServer.answering("");
             RelayClient client = client("127.0.0.1 port=" + proxyPort + " pri=1 : 127.0.0.1 port=" + hangUp.port()
                     + " pri=3 : 127.0.0.1 port=" + closed + " pri=2", Duration.ofSeconds(10))) {
            DeliveryReport report = deliver(client, Requests.to(client, "a@example.net"));
            assertThat(statuses(report)).containsExactly(Status.DELIVERED);
            assertThat(report.proxy()).isEqualTo("PRX=[127.0.0.1]:" + proxyPort);
            assertThat(hangUp.accepted()).as("the priority 3 proxy was tried first").isEqualTo(1);
        }
    }

    @Test
    void silentProxyEndsAtItsTmo() throws Exception {
        int proxyPort = PeerProcess.freePort();
        try (SmtpSink sink = SmtpSink.start(dir, "127.0.0.1", sinkPort); Dante dante = Dante.start(dir, proxyPort, "none", 0);
             SilentServer silent = SilentServer.silent();
             RelayClient client = client("127.0.0.1 port=" + silent.port() + " pri=2 tmo=1 : 127.0.0.1 port=" + proxyPort,
                     Duration.ofSeconds(20))) {
            long start = System.nanoTime();
            DeliveryReport report = deliver(client, Requests.to(client, "a@example.net"));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(statuses(report)).containsExactly(Status.DELIVERED);
            assertThat(report.proxy()).isEqualTo("PRX=[127.0.0.1]:" + proxyPort);
            assertThat(silent.accepted()).isEqualTo(1);
            assertThat(took).isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
        }
    }

    @Test
    void refusedConnectFailsOverToTheNextProxy() throws Exception {
        int blocking = PeerProcess.freePort();
        int open = PeerProcess.freePort();
        try (SmtpSink sink = SmtpSink.start(dir, "127.0.0.1", sinkPort); Dante strict = Dante.start(dir, blocking, "none", sinkPort);
             Dante lenient = Dante.start(dir, open, "none", 0);
             RelayClient client = client("127.0.0.1 port=" + blocking + " pri=2 : 127.0.0.1 port=" + open + " pri=1",
                     Duration.ofSeconds(10))) {
            DeliveryReport report = deliver(client, Requests.to(client, "a@example.net"));
            assertThat(statuses(report)).containsExactly(Status.DELIVERED);
            assertThat(report.proxy()).isEqualTo("PRX=[127.0.0.1]:" + open);
        }
        try (Dante strict = Dante.start(dir, blocking, "none", sinkPort);
             RelayClient client = client("127.0.0.1 port=" + blocking, Duration.ofSeconds(10))) {
            DeliveryReport report = deliver(client, Requests.to(client, "a@example.net"));
            assertThat(statuses(report)).containsExactly(Status.DEFERRED);
            assertThat(report.outcomes().get(0).reply().text()).contains("refused the CONNECT");
        }
    }

    @Test
    void everyProxyFailingDefersWithEachReason() throws Exception {
        int closed = PeerProcess.freePort();
        try (SilentServer silent = SilentServer.silent();
             RelayClient client = client("127.0.0.1 port=" + closed + " pri=2 : 127.0.0.1 port=" + silent.port() + " tmo=1",
                     Duration.ofSeconds(10))) {
            DeliveryReport report = deliver(client, Requests.to(client, "a@example.net"));
            assertThat(statuses(report)).containsExactly(Status.DEFERRED);
            assertThat(report.outcomes().get(0).reply().text())
                    .contains("PRX=[127.0.0.1]:" + closed + " connection refused")
                    .contains("PRX=[127.0.0.1]:" + silent.port() + " no answer within tmo 1 s");
            assertThat(report.proxy()).isEqualTo("PRX=[127.0.0.1]:" + silent.port());
        }
    }

    @Test
    void connectTimeoutBoundsAllProxyAttemptsTogether() throws Exception {
        try (SilentServer a = SilentServer.silent(); SilentServer b = SilentServer.silent();
             RelayClient client = client("127.0.0.1 port=" + a.port() + " tmo=5 : 127.0.0.1 port=" + b.port() + " tmo=5",
                     Duration.ofMillis(1500))) {
            long start = System.nanoTime();
            DeliveryReport report = deliver(client, Requests.to(client, "a@example.net"));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(statuses(report)).containsExactly(Status.DEFERRED);
            assertThat(took).isBetween(Duration.ofMillis(1400), Duration.ofSeconds(4));
            assertThat(report.outcomes().get(0).reply().text()).contains("through any SOCKS5 proxy");
        }
    }
}
