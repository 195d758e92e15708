package dev.postern.relay.client;

import dev.postern.relay.DeliveryReport;
import dev.postern.relay.RecipientOutcome.Status;
import dev.postern.relay.testing.Dnsmasq;
import dev.postern.relay.testing.Requests;
import dev.postern.relay.testing.SmtpSink;
import dev.postern.testing.PeerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;

import static dev.postern.relay.client.SmtpSinkDeliveryTest.deliver;
import static dev.postern.relay.client.SmtpSinkDeliveryTest.statuses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * MX delivery (RFC 5321 section 5) with dnsmasq serving the zone on a loopback port and smtp-sink as the
 * MX host: preference order with a dead first host, the domain's own address without MX, null MX
 * (RFC 7505), a domain that does not exist, an address literal, and an unreachable name server.
 */
class MxDeliveryTest {

    @TempDir
    Path dir;

    private int smtpPort;
    private Dnsmasq dns;
    private SmtpSink sink;

    @BeforeEach
    void zone() throws Exception {
        smtpPort = PeerProcess.freePort();
        dns = Dnsmasq.start(dir, PeerProcess.freePort(),
                "--mx-host=example.test,mx1.example.test,10", "--mx-host=example.test,mx2.example.test,20",
                "--host-record=mx1.example.test,127.0.0.2", "--host-record=mx2.example.test,127.0.0.3",
                "--host-record=implicit.test,127.0.0.3",
                "--mx-host=lost.test,gone.lost.test,10",
                // RFC 7505: preference 0 and the root as exchange (dnsmasq takes the RDATA in hex).
                "--dns-rr=null.test,15,000000");
        sink = SmtpSink.start(dir, "127.0.0.3", smtpPort);
    }

    @AfterEach
    void stop() throws Exception {
        sink.close();
        dns.close();
    }

    private RelayClient client(InetSocketAddress dnsServer) {
        return client(dnsServer, Duration.ofSeconds(5));
    }

    private RelayClient client(InetSocketAddress dnsServer, Duration connectTimeout) {
        return RelayClient.create(RelayClientConfig.builder().target("mx").heloName("client.test").dnsServer(dnsServer)
                .mxPort(smtpPort).connectTimeout(connectTimeout).commandTimeout(Duration.ofSeconds(10)).build());
    }

    @Test
    void routesByLowerCaseDomain() {
        try (RelayClient client = client(dns.address())) {
            assertThat(client.route("Someone@Example.TEST.")).isEqualTo("example.test");
            assertThat(client.route("x@[127.0.0.3]")).isEqualTo("[127.0.0.3]");
        }
    }

    @Test
    void mxHostsByPreferenceSkippingADeadOne() throws Exception {
        try (RelayClient client = client(dns.address())) {
            DeliveryReport report = deliver(client, Requests.to(client, "a@example.test", "b@EXAMPLE.test"));
            assertThat(statuses(report)).containsExactly(Status.DELIVERED, Status.DELIVERED);
            assertThat(report.remote()).isEqualTo("mx2.example.test[127.0.0.3]:" + smtpPort);
            assertThat(sink.dumps()).hasSize(1);
        }
    }

    @Test
    void domainWithoutMxUsesItsOwnAddress() throws Exception {
        try (RelayClient client = client(dns.address())) {
            DeliveryReport report = deliver(client, Requests.to(client, "a@implicit.test"));
            assertThat(statuses(report)).containsExactly(Status.DELIVERED);
            assertThat(report.remote()).isEqualTo("implicit.test[127.0.0.3]:" + smtpPort);
        }
    }

    @Test
    void nullMxFailsPermanently() throws Exception {
        try (RelayClient client = client(dns.address())) {
            DeliveryReport report = deliver(client, Requests.to(client, "a@null.test"));
            assertThat(statuses(report)).containsExactly(Status.FAILED);
            assertThat(report.outcomes().get(0).reply().enhancedStatus()).isEqualTo("5.1.10");
            assertThat(report.outcomes().get(0).reply().text()).contains("null MX");
        }
    }

    @Test
    void domainThatDoesNotExistFailsPermanently() throws Exception {
        try (RelayClient client = client(dns.address())) {
            DeliveryReport report = deliver(client, Requests.to(client, "a@nowhere.test"));
            assertThat(statuses(report)).containsExactly(Status.FAILED);
            assertThat(report.outcomes().get(0).reply().enhancedStatus()).isEqualTo("5.1.2");
            assertThat(report.outcomes().get(0).reply().text()).contains("NXDOMAIN");
        }
    }

    @Test
    void mxHostWithoutAddressDefers() throws Exception {
        try (RelayClient client = client(dns.address())) {
            DeliveryReport report = deliver(client, Requests.to(client, "a@lost.test"));
            assertThat(statuses(report)).containsExactly(Status.DEFERRED);
            assertThat(report.outcomes().get(0).reply().text()).contains("gone.lost.test");
        }
    }

    @Test
    void addressLiteralSkipsDns() throws Exception {
        try (RelayClient client = client(dns.address())) {
            DeliveryReport report = deliver(client, Requests.to(client, "a@[127.0.0.3]"));
            assertThat(statuses(report)).containsExactly(Status.DELIVERED);
            assertThat(report.remote()).isEqualTo("127.0.0.3[127.0.0.3]:" + smtpPort);
        }
    }

    @Test
    void unreachableNameServerDefers() throws Exception {
        try (RelayClient client = client(new InetSocketAddress("127.0.0.1", PeerProcess.freePort()), Duration.ofSeconds(1))) {
            DeliveryReport report = deliver(client, Requests.to(client, "a@example.test"));
            assertThat(statuses(report)).containsExactly(Status.DEFERRED);
            assertThat(report.outcomes().get(0).reply().text()).contains("MX lookup for example.test failed: no answer within 1000 ms");
        }
    }
}
