package dev.postern.relay.client;

import dev.postern.relay.DeliveryReport;
import dev.postern.relay.DeliveryRequest;
import dev.postern.relay.OutboundRecipient;
import dev.postern.relay.RecipientOutcome.Status;
import dev.postern.relay.RecipientOutcome;
import dev.postern.relay.testing.Requests;
import dev.postern.relay.testing.SmtpSink;
import dev.postern.testing.PeerProcess;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Deliveries to Postfix's smtp-sink, a real SMTP and LMTP server with PIPELINING, 8BITMIME and DSN. */
class SmtpSinkDeliveryTest {

    @TempDir
    Path dir;

    static RelayClient client(String target) {
        return RelayClient.create(RelayClientConfig.builder().target(target).heloName("client.test")
                .commandTimeout(Duration.ofSeconds(10)).greetingTimeout(Duration.ofSeconds(10))
                .dataEndTimeout(Duration.ofSeconds(10)).build());
    }

    static DeliveryReport deliver(RelayClient client, DeliveryRequest request) throws Exception {
        return client.deliver(request).get(60, TimeUnit.SECONDS);
    }

    static List<Status> statuses(DeliveryReport report) {
        return report.outcomes().stream().map(RecipientOutcome::status).toList();
    }

    /** The request with RFC 3461 RET and ENVID, as the queue makes it for a message that came with them. */
    static DeliveryRequest withRetAndEnvid(DeliveryRequest r, String ret, String envid) {
        return new DeliveryRequest(r.queueId(), r.sender(), r.recipients(), r.route(), r.size(), r.eightBitMime(),
                r.smtpUtf8(), r.content(), ret, envid);
    }

    @Test
    void pipelinedDeliveryPassesDsnAndUnstuffsDots() throws Exception {
        int port = PeerProcess.freePort();
        try (SmtpSink sink = SmtpSink.start(dir, "127.0.0.1", port); RelayClient client = client("smtp://127.0.0.1:" + port)) {
            DeliveryRequest request = withRetAndEnvid(Requests.of(client, Requests.BODY, false, List.of(
                    new OutboundRecipient("a@example.net", "SUCCESS,FAILURE", "rfc822;a@example.net"),
                    OutboundRecipient.of("b@example.net"))), "HDRS", "QQ314159+2Bx");
            DeliveryReport report = deliver(client, request);
            assertThat(statuses(report)).containsExactly(Status.DELIVERED, Status.DELIVERED);
            assertThat(report.remote()).isEqualTo("127.0.0.1[127.0.0.1]:" + port);
            assertThat(report.proxy()).isEmpty();
            assertThat(report.nextHopDsn()).as("the sink offers DSN and got NOTIFY and ORCPT").isTrue();
            assertThat(report.outcomes().get(0).reply().code()).isEqualTo(250);
            List<String> dumps = sink.dumps();
            assertThat(dumps).hasSize(1);
            assertThat(dumps.get(0)).contains("X-Client-Proto: ESMTP", "X-Helo-Args: client.test",
                    "X-Mail-Args: <sender@example.org> RET=HDRS ENVID=QQ314159+2Bx\n",
                    "X-Rcpt-Args: <a@example.net> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;a@example.net\n",
                    "X-Rcpt-Args: <b@example.net>\n",
                    "Subject: relay test\n\nHello.\n.leading dot\n");
        }
    }

    @Test
    void noDsnParametersWhenTheServerLacksDsn() throws Exception {
        int port = PeerProcess.freePort();
        try (SmtpSink sink = SmtpSink.start(dir, "127.0.0.1", port, "-N"); RelayClient client = client("smtp://127.0.0.1:" + port)) {
            DeliveryRequest request = withRetAndEnvid(Requests.of(client, Requests.BODY, false,
                    List.of(new OutboundRecipient("a@example.net", "NEVER", "rfc822;a@example.net"))), "FULL", "E1");
            DeliveryReport report = deliver(client, request);
            assertThat(statuses(report)).containsExactly(Status.DELIVERED);
            assertThat(report.nextHopDsn()).as("the queue sends the \"relayed\" DSNs itself").isFalse();
            assertThat(sink.dumps().get(0)).contains("X-Mail-Args: <sender@example.org>\n", "X-Rcpt-Args: <a@example.net>\n");
        }
    }

    @Test
    void heloWhenEhloIsRefused() throws Exception {
        int port = PeerProcess.freePort();
        try (SmtpSink sink = SmtpSink.start(dir, "127.0.0.1", port, "-f", "EHLO"); RelayClient client = client("smtp://127.0.0.1:" + port)) {
            assertThat(statuses(deliver(client, Requests.to(client, "a@example.net")))).containsExactly(Status.DELIVERED);
            assertThat(sink.dumps().get(0)).contains("X-Client-Proto: SMTP\n");
        }
    }

    @Test
    void refusedRcptFailsAndRefusedDataDefers() throws Exception {
        int port = PeerProcess.freePort();
        try (SmtpSink sink = SmtpSink.start(dir, "127.0.0.1", port, "-f", "RCPT"); RelayClient client = client("smtp://127.0.0.1:" + port)) {
            DeliveryReport report = deliver(client, Requests.to(client, "a@example.net"));
            assertThat(statuses(report)).containsExactly(Status.FAILED);
            assertThat(report.outcomes().get(0).reply().toString()).startsWith("500 5.3.0");
        }
        int port2 = PeerProcess.freePort();
        try (SmtpSink sink = SmtpSink.start(dir, "127.0.0.1", port2, "-r", "DATA"); RelayClient client = client("smtp://127.0.0.1:" + port2)) {
            DeliveryReport report = deliver(client, Requests.to(client, "a@example.net", "b@example.net"));
            assertThat(statuses(report)).containsExactly(Status.DEFERRED, Status.DEFERRED);
            assertThat(report.outcomes().get(0).reply().toString()).startsWith("450 4.3.0");
            assertThat(sink.dumps()).noneMatch(d -> d.contains("Subject:"));
        }
    }

    @Test
    void refusedEndOfDataFails() throws Exception {
        int port = PeerProcess.freePort();
        try (SmtpSink sink = SmtpSink.start(dir, "127.0.0.1", port, "-f", "."); RelayClient client = client("smtp://127.0.0.1:" + port)) {
            DeliveryReport report = deliver(client, Requests.to(client, "a@example.net"));
            assertThat(statuses(report)).containsExactly(Status.FAILED);
        }
    }

    @Test
    void disconnectWithoutReplyDefers() throws Exception {
        int port = PeerProcess.freePort();
        try (SmtpSink sink = SmtpSink.start(dir, "127.0.0.1", port, "-q", "MAIL"); RelayClient client = client("smtp://127.0.0.1:" + port)) {
            DeliveryReport report = deliver(client, Requests.to(client, "a@example.net"));
            assertThat(statuses(report)).containsExactly(Status.DEFERRED);
            assertThat(report.outcomes().get(0).reply().code()).isZero();
            assertThat(report.outcomes().get(0).reply().text()).contains("connection closed by the server");
        }
    }

    @Test
    void lmtpGivesOneReplyPerRecipient() throws Exception {
        int port = PeerProcess.freePort();
        try (SmtpSink sink = SmtpSink.start(dir, "127.0.0.1", port, "-L"); RelayClient client = client("lmtp://127.0.0.1:" + port)) {
            DeliveryReport report = deliver(client, Requests.to(client, "a@example.net", "b@example.net", "c@example.net"));
            assertThat(statuses(report)).containsOnly(Status.DELIVERED).hasSize(3);
            assertThat(sink.dumps().get(0)).contains("X-Client-Proto: LMTP");
        }
        int port2 = PeerProcess.freePort();
        try (SmtpSink sink = SmtpSink.start(dir, "127.0.0.1", port2, "-L", "-r", "."); RelayClient client = client("lmtp://127.0.0.1:" + port2)) {
            DeliveryReport report = deliver(client, Requests.to(client, "a@example.net", "b@example.net"));
            assertThat(statuses(report)).containsExactly(Status.DEFERRED, Status.DEFERRED);
            assertThat(report.outcomes()).allSatisfy(o -> assertThat(o.reply().code()).isEqualTo(450));
        }
    }

    @Test
    void smarthostsAreTriedInOrder() throws Exception {
        int dead = PeerProcess.freePort();
        int port = PeerProcess.freePort();
        try (SmtpSink sink = SmtpSink.start(dir, "127.0.0.1", port);
             RelayClient client = client("smtp://127.0.0.1:" + dead + ",127.0.0.1:" + port)) {
            DeliveryReport report = deliver(client, Requests.to(client, "a@example.net"));
            assertThat(statuses(report)).containsExactly(Status.DELIVERED);
            assertThat(report.remote()).endsWith(":" + port);
        }
    }

    @Test
    void idleSessionOfAnotherRouteMakesRoomUnderTheOverallLimit() throws Exception {
        int port = PeerProcess.freePort();
        try (SmtpSink one = SmtpSink.start(dir, "127.0.0.1", port); SmtpSink three = SmtpSink.start(dir, "127.0.0.3", port);
             RelayClient client = RelayClient.create(RelayClientConfig.builder().target("mx").mxPort(port).heloName("client.test")
                     .maxConnectionsPerDestination(1).maxConnections(1).idleTime(Duration.ofMinutes(1)).build())) {
            // Address literals are routes of their own, delivered without DNS (RFC 5321 5.1).
            assertThat(statuses(deliver(client, Requests.to(client, "a@[127.0.0.1]")))).containsExactly(Status.DELIVERED);
            assertThat(client.openConnections()).isEqualTo(1);
            assertThat(statuses(deliver(client, Requests.to(client, "b@[127.0.0.3]")))).containsExactly(Status.DELIVERED);
            assertThat(client.openConnections()).isEqualTo(1);
            assertThat(one.dumps()).hasSize(1);
            assertThat(three.dumps()).hasSize(1);
        }
    }

    @Test
    void sharedEventLoopsStayRunningAfterClose() throws Exception {
        int port = PeerProcess.freePort();
        // The server's kind of loops: epoll where available, as postern-core chooses.
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
                Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        try (SmtpSink sink = SmtpSink.start(dir, "127.0.0.1", port)) {
            try (RelayClient client = RelayClient.create(RelayClientConfig.builder().target("smtp://127.0.0.1:" + port)
                    .heloName("client.test").build(), group)) {
                assertThat(statuses(deliver(client, Requests.to(client, "a@example.net")))).containsExactly(Status.DELIVERED);
            }
            assertThat(group.isShuttingDown()).isFalse();
            assertThat(sink.dumps()).hasSize(1);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void refusedConnectionDefers() throws Exception {
        try (RelayClient client = client("smtp://127.0.0.1:" + PeerProcess.freePort())) {
            DeliveryReport report = deliver(client, Requests.to(client, "a@example.net"));
            assertThat(statuses(report)).containsExactly(Status.DEFERRED);
            assertThat(report.outcomes().get(0).reply().text()).contains("connection refused");
        }
    }

    @Test
    void destinationThatDisappearsMidDataDefers() throws Exception {
        int port = PeerProcess.freePort();
        byte[] block = ("X".repeat(998) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        CountDownLatch midData = new CountDownLatch(1);
        CountDownLatch killed = new CountDownLatch(1);
        try (SmtpSink sink = SmtpSink.start(dir, "127.0.0.1", port); RelayClient client = client("smtp://127.0.0.1:" + port)) {
            // 20 MB: the stream stops halfway until the server is gone, so the kill lands mid-DATA.
            DeliveryRequest request = new DeliveryRequest("QKILL", "sender@example.org",
                    List.of(OutboundRecipient.of("a@example.net")), client.route("a@example.net"), 20_000_000L, false, false,
                    () -> new InputStream() {
                        long sent;

                        @Override
                        public int read() {
                            throw new UnsupportedOperationException();
                        }

                        @Override
                        public int read(byte[] b, int off, int len) throws IOException {
                            if (sent >= 20_000_000L) {
                                return -1;
                            }
                            if (sent >= 10_000_000L && midData.getCount() > 0) {
                                midData.countDown();
                                try {
                                    killed.await(30, TimeUnit.SECONDS);
                                } catch (InterruptedException e) {
                                    throw new IOException(e);
                                }
                            }
                            int n = Math.min(len, block.length);
                            System.arraycopy(block, 0, b, off, n);
                            sent += n;
                            return n;
                        }
                    });
            var future = client.deliver(request);
            assertThat(midData.await(30, TimeUnit.SECONDS)).isTrue();
            sink.peer().kill();
            killed.countDown();
            DeliveryReport report = future.get(60, TimeUnit.SECONDS);
            assertThat(statuses(report)).containsExactly(Status.DEFERRED);
            assertThat(report.outcomes().get(0).reply().code()).isZero();
            assertThat(report.outcomes().get(0).reply().text()).containsAnyOf("connection lost", "connection closed");
        }
    }
}
