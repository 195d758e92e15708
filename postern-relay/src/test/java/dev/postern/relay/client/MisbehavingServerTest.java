package dev.postern.relay.client;

import dev.postern.relay.DeliveryReport;
import dev.postern.relay.RecipientOutcome.Status;
import dev.postern.relay.testing.Requests;
import dev.postern.relay.testing.ScriptedServer;
import dev.postern.relay.testing.SilentServer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static dev.postern.relay.client.SmtpSinkDeliveryTest.deliver;
import static dev.postern.relay.client.SmtpSinkDeliveryTest.statuses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Servers that never answer, answer garbage, or answer without end: each attempt ends cleanly deferred
 * within its bounds, and memory stays bounded (the reply line and line-count limits).
 */
class MisbehavingServerTest {

    private static RelayClient client(int port, Duration greeting, Duration transaction) {
        return RelayClient.create(RelayClientConfig.builder().target("smtp://127.0.0.1:" + port).heloName("client.test")
                .greetingTimeout(greeting).commandTimeout(Duration.ofSeconds(5)).transactionTimeout(transaction).build());
    }

    private static String deferredText(SilentServer server, Duration greeting, Duration transaction) throws Exception {
        try (RelayClient client = client(server.port(), greeting, transaction)) {
            DeliveryReport report = deliver(client, Requests.to(client, "a@example.net"));
            assertThat(statuses(report)).containsExactly(Status.DEFERRED);
            assertThat(report.outcomes().get(0).reply().code()).isZero();
            return report.outcomes().get(0).reply().text();
        }
    }

    @Test
    void silentServerHitsTheGreetingTimeout() throws Exception {
        try (SilentServer server = SilentServer.silent()) {
            long start = System.nanoTime();
            String text = deferredText(server, Duration.ofMillis(500), Duration.ofMinutes(1));
            assertThat(text).isEqualTo("no answer within 500 ms while waiting for the greeting");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void transactionTimeoutCapsEveryWait() throws Exception {
        try (SilentServer server = SilentServer.silent()) {
            String text = deferredText(server, Duration.ofMinutes(5), Duration.ofMillis(700));
            assertThat(text).contains("while waiting for the greeting").contains("transaction time limit of 700 ms reached");
        }
    }

    @Test
    void closingTheClientDefersAttemptsInFlight() throws Exception {
        try (SilentServer server = SilentServer.silent()) {
            RelayClient client = client(server.port(), Duration.ofMinutes(5), Duration.ofMinutes(10));
            var future = client.deliver(Requests.to(client, "a@example.net"));
            long end = System.nanoTime() + 5_000_000_000L;
            while (server.accepted() == 0 && System.nanoTime() < end) {
                Thread.sleep(10);
            }
            client.close();
            DeliveryReport report = future.get(10, TimeUnit.SECONDS);
            assertThat(statuses(report)).containsExactly(Status.DEFERRED);
            assertThat(report.outcomes().get(0).reply().text())
                    .isEqualTo("connection closed: the relay client is closing while waiting for the greeting");
            assertThat(client.deliver(Requests.to(client, "b@example.net")).get().outcomes().get(0).reply().text())
                    .isEqualTo("the relay client is closed");
        }
    }

    @Test
    void repliesInjectedAfterStartTlsAreRefused() throws Exception {
        // RFC 3207 6: anything after the 220 came in clear; taken after the handshake it would be forged.
        try (ScriptedServer server = new ScriptedServer("220 mx\r\n", "250-mx\r\n250 STARTTLS\r\n",
                "220 go ahead\r\n250-mx\r\n250 AUTH PLAIN\r\n");
             RelayClient client = RelayClient.create(RelayClientConfig.builder().target("smtp://127.0.0.1:" + server.port())
                     .heloName("client.test").tlsMode(TlsMode.REQUIRED).commandTimeout(Duration.ofSeconds(5)).build())) {
            DeliveryReport report = deliver(client, Requests.to(client, "a@example.net"));
            assertThat(statuses(report)).containsExactly(Status.DEFERRED);
            assertThat(report.outcomes().get(0).reply().text()).contains("possible response injection");
            assertThat(server.received()).containsExactly("EHLO client.test", "STARTTLS");
        }
    }

    @Test
    void garbageIsAMalformedReply() throws Exception {
        try (SilentServer server = SilentServer.answering("HTTP/1.1 400 Bad Request\r\n\r\n")) {
            assertThat(deferredText(server, Duration.ofSeconds(5), Duration.ofMinutes(1)))
                    .startsWith("malformed reply from the server: not an SMTP reply line: 'HTTP/1.1 400 Bad Request'");
        }
    }

    @Test
    void endlessLineIsCutAtTheLineBound() throws Exception {
        try (SilentServer server = SilentServer.repeating("220 " + "x".repeat(8192))) {
            assertThat(deferredText(server, Duration.ofSeconds(5), Duration.ofMinutes(1)))
                    .isEqualTo("reply line longer than 2048 octets while waiting for the greeting");
        }
    }

    @Test
    void endlessReplyIsCutAtTheLineCountBound() throws Exception {
        try (SilentServer server = SilentServer.repeating("220-more\r\n")) {
            assertThat(deferredText(server, Duration.ofSeconds(5), Duration.ofMinutes(1)))
                    .contains("reply longer than 128 lines");
        }
    }

    @Test
    void unsolicitedRepliesAreCutOff() throws Exception {
        // A server that greets without end: the client either sees a line arrive before it has sent anything
        // to answer (cut off, a local deferral) or, when its EHLO went out first, takes the next 220 as the
        // EHLO's reply, which is not 250: deferred with that reply. Which one depends on the timing; never
        // a hang, never a delivery.
        try (SilentServer server = SilentServer.repeating("220 hello again\r\n");
             RelayClient client = client(server.port(), Duration.ofSeconds(5), Duration.ofMinutes(1))) {
            DeliveryReport report = deliver(client, Requests.to(client, "a@example.net"));
            assertThat(statuses(report)).containsExactly(Status.DEFERRED);
            var reply = report.outcomes().get(0).reply();
            if (reply.code() == 0) {
                assertThat(reply.text()).contains("more replies than commands");
            } else {
                assertThat(reply.code()).isEqualTo(220);
            }
        }
    }
}
