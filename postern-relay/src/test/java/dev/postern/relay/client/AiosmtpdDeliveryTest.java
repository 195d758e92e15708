package dev.postern.relay.client;

import dev.postern.relay.DeliveryReport;
import dev.postern.relay.OutboundRecipient;
import dev.postern.relay.RecipientOutcome.Status;
import dev.postern.relay.testing.Aiosmtpd;
import dev.postern.relay.testing.Requests;
import dev.postern.testing.PeerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static dev.postern.relay.client.SmtpSinkDeliveryTest.client;
import static dev.postern.relay.client.SmtpSinkDeliveryTest.deliver;
import static dev.postern.relay.client.SmtpSinkDeliveryTest.statuses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deliveries to aiosmtpd, a second real SMTP server (without PIPELINING, so one command at a time), whose
 * recipients pick their replies: per-recipient outcomes, greylisting, SIZE, SMTPUTF8, 8BITMIME, reuse.
 */
class AiosmtpdDeliveryTest {

    @TempDir
    Path dir;

    @Test
    void eachRecipientGetsItsOwnOutcome() throws Exception {
        int port = PeerProcess.freePort();
        try (Aiosmtpd server = Aiosmtpd.start(dir, port); RelayClient client = client("smtp://127.0.0.1:" + port)) {
            DeliveryReport report = deliver(client, Requests.to(client, "ok@example.net", "reject@example.net", "defer@example.net"));
            assertThat(statuses(report)).containsExactly(Status.DELIVERED, Status.FAILED, Status.DEFERRED);
            assertThat(report.outcomes().get(1).reply().toString()).isEqualTo("550 5.1.1 <reject@example.net>: no such user");
            assertThat(report.outcomes().get(2).reply().enhancedStatus()).isEqualTo("4.2.1");
            List<Aiosmtpd.Event> messages = server.messages();
            assertThat(messages).hasSize(1);
            assertThat(messages.get(0).get("to")).isEqualTo("ok@example.net");
            assertThat(messages.get(0).data()).isEqualTo(Requests.BODY);
        }
    }

    @Test
    void greylistedFirstThenDelivered() throws Exception {
        int port = PeerProcess.freePort();
        try (Aiosmtpd server = Aiosmtpd.start(dir, port); RelayClient client = client("smtp://127.0.0.1:" + port)) {
            DeliveryReport first = deliver(client, Requests.to(client, "later@example.net"));
            assertThat(statuses(first)).containsExactly(Status.DEFERRED);
            assertThat(first.outcomes().get(0).reply().code()).isEqualTo(451);
            DeliveryReport second = deliver(client, Requests.to(client, "later@example.net"));
            assertThat(statuses(second)).containsExactly(Status.DELIVERED);
            assertThat(server.messages()).hasSize(1);
        }
    }

    @Test
    void sessionIsReusedWithRsetAndBoundedPerDestination() throws Exception {
        int port = PeerProcess.freePort();
        try (Aiosmtpd server = Aiosmtpd.start(dir, port);
             RelayClient client = RelayClient.create(RelayClientConfig.builder().target("smtp://127.0.0.1:" + port)
                     .heloName("client.test").maxConnectionsPerDestination(1).maxConnections(1).build())) {
            // Three at once with one connection allowed: they queue for it and share it.
            List<CompletableFuture<DeliveryReport>> all = List.of(
                    client.deliver(Requests.to(client, "a@example.net")), client.deliver(Requests.to(client, "b@example.net")),
                    client.deliver(Requests.to(client, "c@example.net")));
            for (CompletableFuture<DeliveryReport> f : all) {
                assertThat(statuses(f.get())).containsExactly(Status.DELIVERED);
            }
            assertThat(client.openConnections()).isEqualTo(1);
            List<Aiosmtpd.Event> events = server.events();
            assertThat(events.stream().filter(e -> e.kind().equals("ehlo"))).hasSize(1);
            assertThat(events.stream().filter(e -> e.kind().equals("rset"))).hasSize(2);
            assertThat(server.messages()).extracting(e -> e.get("peer")).containsOnly(server.messages().get(0).get("peer"));
        }
    }

    @Test
    void idleSessionEndsAfterItsTime() throws Exception {
        int port = PeerProcess.freePort();
        try (Aiosmtpd server = Aiosmtpd.start(dir, port);
             RelayClient client = RelayClient.create(RelayClientConfig.builder().target("smtp://127.0.0.1:" + port)
                     .heloName("client.test").idleTime(Duration.ofMillis(200)).build())) {
            assertThat(statuses(deliver(client, Requests.to(client, "a@example.net")))).containsExactly(Status.DELIVERED);
            long end = System.nanoTime() + 5_000_000_000L;
            while (client.openConnections() > 0 && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            assertThat(client.openConnections()).isZero();
            assertThat(statuses(deliver(client, Requests.to(client, "b@example.net")))).containsExactly(Status.DELIVERED);
            assertThat(server.events().stream().filter(e -> e.kind().equals("ehlo"))).hasSize(2);
        }
    }

    @Test
    void messageLargerThanTheDeclaredSizeFailsUnsent() throws Exception {
        int port = PeerProcess.freePort();
        try (Aiosmtpd server = Aiosmtpd.start(dir, port, "--size", "200"); RelayClient client = client("smtp://127.0.0.1:" + port)) {
            DeliveryReport big = deliver(client, Requests.of(client, "Subject: big\r\n\r\n" + "x".repeat(300) + "\r\n", false,
                    List.of(OutboundRecipient.of("a@example.net"))));
            assertThat(statuses(big)).containsExactly(Status.FAILED);
            assertThat(big.outcomes().get(0).reply().enhancedStatus()).isEqualTo("5.3.4");
            assertThat(big.outcomes().get(0).reply().text()).contains("maximum message size of 200");
            DeliveryReport small = deliver(client, Requests.to(client, "a@example.net"));
            assertThat(statuses(small)).containsExactly(Status.DELIVERED);
            assertThat(server.messages()).hasSize(1);
            assertThat(server.messages().get(0).get("mail_options")).isEqualTo("SIZE=" + Requests.BODY.length());
        }
    }

    @Test
    void refusedDataFails() throws Exception {
        int port = PeerProcess.freePort();
        try (Aiosmtpd server = Aiosmtpd.start(dir, port, "--data-reply", "554 5.6.0 content refused");
             RelayClient client = client("smtp://127.0.0.1:" + port)) {
            DeliveryReport report = deliver(client, Requests.to(client, "a@example.net", "b@example.net"));
            assertThat(statuses(report)).containsExactly(Status.FAILED, Status.FAILED);
            assertThat(report.outcomes().get(0).reply().toString()).isEqualTo("554 5.6.0 content refused");
        }
    }

    @Test
    void smtpUtf8AndEightBitMime() throws Exception {
        int port = PeerProcess.freePort();
        try (Aiosmtpd server = Aiosmtpd.start(dir, port); RelayClient client = client("smtp://127.0.0.1:" + port)) {
            String body = "Subject: caf\u00e9\r\n\r\n\u00e7a va\r\n";
            DeliveryReport report = deliver(client, Requests.of(client, body, true, List.of(OutboundRecipient.of("j\u00f6rg@example.net"))));
            assertThat(statuses(report)).containsExactly(Status.DELIVERED);
            Aiosmtpd.Event m = server.messages().get(0);
            assertThat(m.get("mail_options")).contains("BODY=8BITMIME", "SMTPUTF8");
            assertThat(m.get("to")).isEqualTo("j\u00f6rg@example.net");
            assertThat(m.data()).isEqualTo(body);
        }
    }
}
