package dev.postern.relay.client;

import dev.postern.relay.DeliveryReport;
import dev.postern.relay.RecipientOutcome.Status;
import dev.postern.relay.testing.Aiosmtpd;
import dev.postern.relay.testing.Requests;
import dev.postern.relay.testing.TestCertificates;
import dev.postern.testing.PeerProcess;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;

import static dev.postern.relay.client.SmtpSinkDeliveryTest.deliver;
import static dev.postern.relay.client.SmtpSinkDeliveryTest.statuses;
import static org.assertj.core.api.Assertions.assertThat;

/** STARTTLS in its three modes and AUTH over TLS, against aiosmtpd with a certificate from a test CA (openssl). */
class StartTlsDeliveryTest {

    @TempDir
    Path dir;

    private TestCertificates certs;
    private int port;

    @BeforeEach
    void certificates() throws Exception {
        certs = TestCertificates.create(dir, "DNS:localhost");
        port = PeerProcess.freePort();
    }

    private Aiosmtpd tlsServer(String... more) throws Exception {
        String[] args = new String[4 + more.length];
        args[0] = "--cert";
        args[1] = certs.serverCert().toString();
        args[2] = "--key";
        args[3] = certs.serverKey().toString();
        System.arraycopy(more, 0, args, 4, more.length);
        return Aiosmtpd.start(dir, port, args);
    }

    private static RelayClient client(String target, UnaryOperator<RelayClientConfig.Builder> more) {
        return RelayClient.create(more.apply(RelayClientConfig.builder().target(target).heloName("client.test")
                .commandTimeout(Duration.ofSeconds(10)).greetingTimeout(Duration.ofSeconds(10))).build());
    }

    @Test
    void opportunisticUsesTlsWhenOffered() throws Exception {
        try (Aiosmtpd server = tlsServer(); RelayClient client = client("smtp://127.0.0.1:" + port, b -> b.tlsMode(TlsMode.OPPORTUNISTIC))) {
            assertThat(statuses(deliver(client, Requests.to(client, "a@example.net")))).containsExactly(Status.DELIVERED);
            assertThat(server.messages().get(0).get("tls")).isEqualTo("1");
            assertThat(server.events().stream().filter(e -> e.kind().equals("ehlo"))).hasSize(2);
        }
    }

    @Test
    void opportunisticDeliversInClearWhenNotOffered() throws Exception {
        try (Aiosmtpd server = Aiosmtpd.start(dir, port); RelayClient client = client("smtp://127.0.0.1:" + port, b -> b)) {
            assertThat(statuses(deliver(client, Requests.to(client, "a@example.net")))).containsExactly(Status.DELIVERED);
            assertThat(server.messages().get(0).get("tls")).isEqualTo("0");
        }
    }

    @Test
    void requiredDefersWhenNotOffered() throws Exception {
        try (Aiosmtpd server = Aiosmtpd.start(dir, port); RelayClient client = client("smtp://127.0.0.1:" + port, b -> b.tlsMode(TlsMode.REQUIRED))) {
            DeliveryReport report = deliver(client, Requests.to(client, "a@example.net"));
            assertThat(statuses(report)).containsExactly(Status.DEFERRED);
            assertThat(report.outcomes().get(0).reply().text()).contains("does not offer STARTTLS");
            assertThat(server.messages()).isEmpty();
        }
    }

    @Test
    void requiredAcceptsAnyCertificate() throws Exception {
        try (Aiosmtpd server = tlsServer(); RelayClient client = client("smtp://127.0.0.1:" + port, b -> b.tlsMode(TlsMode.REQUIRED))) {
            assertThat(statuses(deliver(client, Requests.to(client, "a@example.net")))).containsExactly(Status.DELIVERED);
            assertThat(server.messages().get(0).get("tls")).isEqualTo("1");
        }
    }

    @Test
    void verifyAcceptsTheRightNameFromTheConfiguredCa() throws Exception {
        try (Aiosmtpd server = tlsServer();
             RelayClient client = client("smtp://localhost:" + port, b -> b.tlsMode(TlsMode.VERIFY).caFile(certs.ca()))) {
            DeliveryReport report = deliver(client, Requests.to(client, "a@example.net"));
            assertThat(statuses(report)).containsExactly(Status.DELIVERED);
            assertThat(report.remote()).startsWith("localhost[");
            assertThat(server.messages().get(0).get("tls")).isEqualTo("1");
        }
    }

    @Test
    void verifyRefusesAnUntrustedChain() throws Exception {
        try (Aiosmtpd server = tlsServer(); RelayClient client = client("smtp://localhost:" + port, b -> b.tlsMode(TlsMode.VERIFY))) {
            DeliveryReport report = deliver(client, Requests.to(client, "a@example.net"));
            assertThat(statuses(report)).containsExactly(Status.DEFERRED);
            assertThat(report.outcomes().get(0).reply().text()).contains("TLS handshake with localhost failed");
            assertThat(server.messages()).isEmpty();
        }
    }

    @Test
    void verifyRefusesAnotherName() throws Exception {
        try (Aiosmtpd server = tlsServer();
             RelayClient client = client("smtp://127.0.0.1:" + port, b -> b.tlsMode(TlsMode.VERIFY).caFile(certs.ca()))) {
            DeliveryReport report = deliver(client, Requests.to(client, "a@example.net"));
            assertThat(statuses(report)).containsExactly(Status.DEFERRED);
            assertThat(report.outcomes().get(0).reply().text()).contains("TLS handshake with 127.0.0.1 failed");
            assertThat(server.messages()).isEmpty();
        }
    }

    @Test
    void authOverTls() throws Exception {
        try (Aiosmtpd server = tlsServer("--auth", "relayuser:s3cret");
             RelayClient client = client("smtp://127.0.0.1:" + port, b -> b.tlsMode(TlsMode.REQUIRED).auth("relayuser", "s3cret"))) {
            assertThat(statuses(deliver(client, Requests.to(client, "a@example.net")))).containsExactly(Status.DELIVERED);
            assertThat(server.messages().get(0).get("auth")).isEqualTo("relayuser");
        }
    }

    @Test
    void wrongPasswordDefers() throws Exception {
        try (Aiosmtpd server = tlsServer("--auth", "relayuser:s3cret");
             RelayClient client = client("smtp://127.0.0.1:" + port, b -> b.tlsMode(TlsMode.REQUIRED).auth("relayuser", "wrong"))) {
            DeliveryReport report = deliver(client, Requests.to(client, "a@example.net"));
            assertThat(statuses(report)).containsExactly(Status.DEFERRED);
            assertThat(report.outcomes().get(0).reply().code()).isEqualTo(535);
            assertThat(server.messages()).isEmpty();
        }
    }

    @Test
    void credentialsAreNeverSentInClear() throws Exception {
        try (Aiosmtpd server = Aiosmtpd.start(dir, port, "--auth", "relayuser:s3cret");
             RelayClient client = client("smtp://127.0.0.1:" + port, b -> b.auth("relayuser", "s3cret"))) {
            DeliveryReport report = deliver(client, Requests.to(client, "a@example.net"));
            assertThat(statuses(report)).containsExactly(Status.DEFERRED);
            assertThat(report.outcomes().get(0).reply().text()).contains("refusing to send AUTH credentials");
        }
    }
}
