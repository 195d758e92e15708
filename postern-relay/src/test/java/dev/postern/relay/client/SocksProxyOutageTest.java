package dev.postern.relay.client;

import dev.postern.relay.DeliveryReport;
import dev.postern.relay.DeliveryRequest;
import dev.postern.relay.OutboundTransport;
import dev.postern.relay.RecipientOutcome.Status;
import dev.postern.relay.queue.DeliveryAttempt;
import dev.postern.relay.queue.DeliverySettings;
import dev.postern.relay.queue.MailQueue;
import dev.postern.relay.queue.QueueEnvelope;
import dev.postern.relay.queue.QueueManager;
import dev.postern.relay.queue.QueuedMessage;
import dev.postern.relay.queue.RecipientState;
import dev.postern.relay.queue.RetrySchedule;
import dev.postern.relay.testing.BrokenSocks;
import dev.postern.relay.testing.Dante;
import dev.postern.testing.PeerProcess;
import dev.postern.relay.testing.SmtpSink;
import dev.postern.relay.testing.StallingDestination;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SOCKS5 proxy goes away and comes back while the queue delivers through it, over real sockets: Dante's
 * danted killed by its process id (with its children) in the middle of DATA and started again on the same
 * port; two proxies listed with one dead; and proxies that break right after the SOCKS5 handshake. The
 * queue runs as in {@code postern serve} (its own timers, a retry step of one second) over a real
 * {@link RelayClient}; the test reads the queue's state and history and what the destination accepted.
 * Waits are bounded polls; no duration is asserted.
 */
@Timeout(120)
class SocksProxyOutageTest {

    private static final Duration BOUND = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final List<AutoCloseable> opened = new ArrayList<>();

    /** The transport the queue delivers through, recording every report it hands back, per queue id. */
    private static final class Recording implements OutboundTransport {
        final RelayClient client;
        final Map<String, List<DeliveryReport>> reports = new ConcurrentHashMap<>();

        Recording(RelayClient client) {
            this.client = client;
        }

        @Override
        public String route(String recipient) {
            return client.route(recipient);
        }

        @Override
        public CompletableFuture<DeliveryReport> deliver(DeliveryRequest request) {
            return client.deliver(request).thenApply(r -> {
                reports.computeIfAbsent(request.queueId(), k -> new CopyOnWriteArrayList<>()).add(r);
                return r;
            });
        }

        List<DeliveryReport> of(String id) {
            return reports.getOrDefault(id, List.of());
        }

        @Override
        public void close() {
            client.close();
        }
    }

    private MailQueue queue;
    private Recording transport;

    /** A queue over a real client to {@code destinationPort} through {@code proxies}, retrying every second. */
    private void startQueue(int destinationPort, String proxies) throws IOException {
        startQueue(destinationPort, proxies, Duration.ofSeconds(10));
    }

    private void startQueue(int destinationPort, String proxies, Duration replies) throws IOException {
        transport = keep(new Recording(RelayClient.create(RelayClientConfig.builder()
                .target("smtp://127.0.0.1:" + destinationPort).heloName("client.test").socksProxies(proxies)
                .connectTimeout(Duration.ofSeconds(10)).greetingTimeout(Duration.ofSeconds(10))
                .commandTimeout(replies).dataBlockTimeout(Duration.ofSeconds(10))
                .dataEndTimeout(Duration.ofSeconds(10)).transactionTimeout(Duration.ofSeconds(60)).build())));
        queue = keep(MailQueue.open(dir.resolve("queue"), MailQueue.Limits.DEFAULT));
        keep(QueueManager.start(queue, transport, DeliverySettings.builder().reportingMta("relay.test")
                .retry(RetrySchedule.parse("1s", Duration.ofHours(1))).build()));
    }

    private <T extends AutoCloseable> T keep(T resource) {
        opened.add(resource);
        return resource;
    }

    @AfterEach
    void closeAll() throws Exception {
        // the manager first, then the queue and the client, then the peers (most recent first)
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    private static byte[] message(String subject, int size) {
        StringBuilder b = new StringBuilder("From: sender@example.org\r\nTo: rcpt@example.net\r\nSubject: " + subject
                + "\r\n\r\n");
        String line = "0123456789".repeat(7) + "\r\n";
        while (b.length() < size) {
            b.append(line);
        }
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private String enqueue(String subject, int size) throws IOException {
        return queue.enqueue(QueueEnvelope.of("sender@example.org", List.of("rcpt@example.net")),
                new ByteArrayInputStream(message(subject, size)));
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + BOUND.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + BOUND + ": " + what);
            }
            Thread.sleep(20);
        }
    }

    private RecipientState recipient(String id) {
        QueuedMessage m = queue.message(id).orElseThrow(() -> new AssertionError(id + " is no longer queued"));
        return m.recipients().getFirst();
    }

    private static Status status(DeliveryReport report) {
        return report.outcomes().getFirst().status();
    }

    private static String text(DeliveryReport report) {
        return report.outcomes().getFirst().reply().text();
    }

    private static String prx(int port) {
        return "PRX=[127.0.0.1]:" + port;
    }

    /** Waits until the message left the queue: every recipient final. */
    private void awaitGone(String id) throws InterruptedException {
        await(id + " delivered and removed from the queue", () -> queue.message(id).isEmpty());
    }

    /**
     * Dante is killed (with its children, by process id) while the message is halfway through DATA: the
     * destination stopped reading after the first content line, and the message (64 MB) is larger than every
     * buffer on the way, so the client is still sending when the proxy dies: its end of data never reaches
     * the destination (checked), so the destination cannot have stored the message. The
     * attempt is deferred and recorded with its reason and proxy; the queue's next attempt, while the proxy
     * is away, is deferred as refused; once danted listens again on the same port the queue delivers the
     * message, and the destination holds it exactly once.
     */
    @Test
    void aProxyKilledInTheMiddleOfDataDefersAndTheQueueDeliversOnceItIsBack() throws Exception {
        int proxyPort = PeerProcess.freePort();
        StallingDestination destination = keep(new StallingDestination(true));
        Dante dante = keep(Dante.start(dir, proxyPort, "none", 0));
        startQueue(destination.port(), "127.0.0.1 port=" + proxyPort + " tmo=2");

        String id = enqueue("through a dying proxy", 64_000_000);
        assertThat(destination.awaitStalled(BOUND)).as("the transaction reached DATA through the proxy").isTrue();
        dante.kill();

        await("the attempt in flight reported", () -> !transport.of(id).isEmpty());
        DeliveryReport cut = transport.of(id).getFirst();
        assertThat(status(cut)).isEqualTo(Status.DEFERRED);
        assertThat(text(cut)).contains("while sending the message");
        assertThat(cut.proxy()).isEqualTo(prx(proxyPort));
        assertThat(cut.remote()).isEqualTo("127.0.0.1[127.0.0.1]:" + destination.port());
        await("the deferral written to the queue", () -> recipient(id).attempts() >= 1);
        DeliveryAttempt first = recipient(id).history().getFirst();
        assertThat(first.outcome()).isEqualTo(RecipientState.Status.DEFERRED);
        assertThat(first.proxy()).isEqualTo(prx(proxyPort));
        assertThat(first.reply().text()).isEqualTo(text(cut)).doesNotContain("Exception");

        // the queue tries again on its own while the proxy is away: refused, deferred again
        await("an attempt while the proxy is away", () -> transport.of(id).size() >= 2);
        DeliveryReport away = transport.of(id).get(1);
        assertThat(status(away)).isEqualTo(Status.DEFERRED);
        assertThat(text(away)).contains(prx(proxyPort) + " connection refused");
        await("the second deferral written", () -> recipient(id).history().size() >= 2);
        assertThat(recipient(id).history().get(1).reply().text()).contains("connection refused");
        assertThat(recipient(id).status()).isEqualTo(RecipientState.Status.DEFERRED);
        assertThat(destination.accepted()).isEmpty();

        keep(Dante.start(dir, proxyPort, "none", 0)); // back, same port
        awaitGone(id);
        List<DeliveryReport> reports = transport.of(id);
        assertThat(reports.getLast().proxy()).isEqualTo(prx(proxyPort));
        assertThat(reports).extracting(SocksProxyOutageTest::status).last().isEqualTo(Status.DELIVERED);
        assertThat(reports).extracting(SocksProxyOutageTest::status).filteredOn(s -> s == Status.DELIVERED).hasSize(1);
        assertThat(destination.accepted().size()).as("delivered exactly once").isEqualTo(1);
        String accepted = destination.accepted().getFirst();
        assertThat(accepted.substring(0, 200)).contains("Subject: through a dying proxy");
        assertThat(accepted.length()).isGreaterThanOrEqualTo(64_000_000);
        destination.release();
        await("the stalled transaction ended", () -> destination.cut().size() == 1);
        assertThat(destination.endsUnread()).as("the end of data never reached the destination").isZero();
    }

    /**
     * Dante frozen (SIGSTOP to it and its children, by process id) in the middle of the transaction, while
     * the client waits for the reply to DATA: the destination answers 354, but nothing moves through the
     * proxy, and the attempt ends at the command timeout, deferred, before any content was sent (so the
     * message cannot arrive twice). The next attempt, still frozen, gets its TCP connection from the kernel
     * (the listening socket lives on) but no SOCKS5 answer, and ends at the proxy's {@code tmo}. Thawed,
     * danted works through its backlog of abandoned connections, and the queue delivers the message once.
     */
    @Test
    void aProxyFrozenInTheMiddleOfATransactionIsBoundedByItsTimeoutsAndTheQueueDeliversOnceItThaws() throws Exception {
        int proxyPort = PeerProcess.freePort();
        StallingDestination destination = keep(new StallingDestination(StallingDestination.Stall.BEFORE_DATA_REPLY));
        Dante dante = keep(Dante.start(dir, proxyPort, "none", 0));
        keep(dante::thaw); // before it is closed, should the test end early
        startQueue(destination.port(), "127.0.0.1 port=" + proxyPort + " tmo=2", Duration.ofSeconds(2));

        String id = enqueue("through a frozen proxy", 2_000);
        assertThat(destination.awaitStalled(BOUND)).isTrue();
        dante.freeze();
        destination.release();

        await("the attempt in flight reported", () -> !transport.of(id).isEmpty());
        DeliveryReport frozen = transport.of(id).getFirst();
        assertThat(status(frozen)).isEqualTo(Status.DEFERRED);
        assertThat(frozen.proxy()).isEqualTo(prx(proxyPort));
        assertThat(text(frozen)).contains("no answer within 2 s while waiting for the reply to DATA");
        await("an attempt while it is frozen", () -> transport.of(id).size() >= 2);
        assertThat(status(transport.of(id).get(1))).isEqualTo(Status.DEFERRED);
        assertThat(text(transport.of(id).get(1))).contains(prx(proxyPort) + " no answer within tmo 2 s");
        assertThat(destination.accepted()).isEmpty();

        dante.thaw();
        awaitGone(id);
        assertThat(transport.of(id)).extracting(SocksProxyOutageTest::status).filteredOn(s -> s == Status.DELIVERED).hasSize(1);
        assertThat(destination.accepted()).as("delivered exactly once").hasSize(1);
        assertThat(destination.accepted().getFirst()).contains("Subject: through a frozen proxy");
    }

    /**
     * Two proxies, the preferred one (pri=2) killed in the middle of DATA (of 64 MB, as above): the attempt in flight is deferred
     * (a transaction is never moved to another proxy half-way), and the queue's retry goes through the other
     * proxy at once, within one attempt, without waiting for the dead one; the destination holds the message
     * exactly once.
     */
    @Test
    void thePreferredProxyKilledInTheMiddleOfDataTheRetryGoesThroughTheOther() throws Exception {
        int preferred = PeerProcess.freePort();
        int other = PeerProcess.freePort();
        StallingDestination destination = keep(new StallingDestination(true));
        Dante first = keep(Dante.start(dir, preferred, "none", 0));
        keep(Dante.start(dir, other, "none", 0));
        startQueue(destination.port(), "127.0.0.1 port=" + preferred + " pri=2 tmo=2 : 127.0.0.1 port=" + other + " pri=1 tmo=2");

        String id = enqueue("preferred proxy dies", 64_000_000);
        assertThat(destination.awaitStalled(BOUND)).isTrue();
        first.kill();

        awaitGone(id);
        List<DeliveryReport> reports = transport.of(id);
        assertThat(reports).hasSize(2);
        assertThat(status(reports.get(0))).isEqualTo(Status.DEFERRED);
        assertThat(reports.get(0).proxy()).isEqualTo(prx(preferred));
        assertThat(status(reports.get(1))).isEqualTo(Status.DELIVERED);
        assertThat(reports.get(1).proxy()).isEqualTo(prx(other));
        assertThat(destination.accepted().size()).isEqualTo(1);
        assertThat(destination.accepted().getFirst().substring(0, 200)).contains("Subject: preferred proxy dies");
        destination.release();
        await("the stalled transaction ended", () -> destination.cut().size() == 1);
        assertThat(destination.endsUnread()).as("the end of data never reached the destination").isZero();
    }

    /**
     * Two proxies listed, the preferred one dead: each message goes through the other on its first attempt
     * (the order is drawn again for every connection, so a dead proxy costs a refused connect, not a
     * deferral), a session pooled through the dead proxy included. The dead one, started again on its
     * port, carries mail again as soon as the other goes away.
     */
    @Test
    void withTwoProxiesListedTheDeadOneIsPassedOverAndUsedAgainOnceBack() throws Exception {
        int sinkPort = PeerProcess.freePort();
        int preferred = PeerProcess.freePort();
        int other = PeerProcess.freePort();
        SmtpSink sink = keep(SmtpSink.start(dir, "127.0.0.1", sinkPort));
        Dante a = keep(Dante.start(dir, preferred, "none", 0));
        Dante b = keep(Dante.start(dir, other, "none", 0));
        startQueue(sinkPort, "127.0.0.1 port=" + preferred + " pri=2 tmo=2 : 127.0.0.1 port=" + other + " pri=1 tmo=2");

        String one = enqueue("one", 1000);
        awaitGone(one);
        assertThat(transport.of(one)).singleElement().satisfies(r -> {
            assertThat(status(r)).isEqualTo(Status.DELIVERED);
            assertThat(r.proxy()).isEqualTo(prx(preferred));
        });

        a.kill(); // the session pooled through it dies with it
        String two = enqueue("two", 1000);
        awaitGone(two);
        assertThat(transport.of(two)).singleElement().satisfies(r -> {
            assertThat(status(r)).isEqualTo(Status.DELIVERED);
            assertThat(r.proxy()).isEqualTo(prx(other));
        });

        keep(Dante.start(dir, preferred, "none", 0));
        b.kill();
        String three = enqueue("three", 1000);
        awaitGone(three);
        assertThat(transport.of(three)).singleElement().satisfies(r -> {
            assertThat(status(r)).isEqualTo(Status.DELIVERED);
            assertThat(r.proxy()).isEqualTo(prx(preferred));
        });
        await("three transactions at the sink", () -> dumps(sink).size() == 3);
        assertThat(dumps(sink)).filteredOn(d -> d.lines().anyMatch(l -> l.strip().equals("Subject: one"))).hasSize(1);
        assertThat(dumps(sink)).filteredOn(d -> d.lines().anyMatch(l -> l.strip().equals("Subject: two"))).hasSize(1);
        assertThat(dumps(sink)).filteredOn(d -> d.lines().anyMatch(l -> l.strip().equals("Subject: three"))).hasSize(1);
    }

    private static List<String> dumps(SmtpSink sink) {
        try {
            return sink.dumps();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * A proxy that fails inside the SOCKS5 handshake (no acceptable method; closed after the method
     * selection) is a failure of that proxy: the same attempt goes on to the next one listed and delivers.
     */
    @ParameterizedTest
    @EnumSource(value = BrokenSocks.Mode.class, names = {"REFUSE_METHOD", "CLOSE_AFTER_METHOD"})
    void aProxyBrokenInTheHandshakeIsPassedOverWithinTheAttempt(BrokenSocks.Mode mode) throws Exception {
        int sinkPort = PeerProcess.freePort();
        int good = PeerProcess.freePort();
        SmtpSink sink = keep(SmtpSink.start(dir, "127.0.0.1", sinkPort));
        BrokenSocks broken = keep(new BrokenSocks(0, mode));
        keep(Dante.start(dir, good, "none", 0));
        startQueue(sinkPort, "127.0.0.1 port=" + broken.port() + " pri=2 tmo=2 : 127.0.0.1 port=" + good + " pri=1 tmo=2");

        String id = enqueue("broken handshake", 1000);
        awaitGone(id);
        assertThat(transport.of(id)).singleElement().satisfies(r -> {
            assertThat(status(r)).isEqualTo(Status.DELIVERED);
            assertThat(r.proxy()).isEqualTo(prx(good));
        });
        assertThat(broken.accepted()).isEqualTo(1);
        assertThat(sink.dumps()).hasSize(1);
    }

    /**
     * A proxy that answers the CONNECT "succeeded" and then closes or resets the connection before the
     * destination's greeting: to the client this is the destination's connection failing (a real proxy
     * relays a destination's close the same way), so the attempt is deferred, with the proxy in the history;
     * nothing is lost. Once a working proxy listens on that port instead, the queue delivers the message
     * once.
     */
    @ParameterizedTest
    @EnumSource(value = BrokenSocks.Mode.class, names = {"CLOSE_AFTER_CONNECT", "RESET_AFTER_CONNECT"})
    void aProxyThatDropsTheConnectionAfterTheHandshakeDefersUntilAWorkingOneIsBack(BrokenSocks.Mode mode) throws Exception {
        int sinkPort = PeerProcess.freePort();
        int proxyPort = PeerProcess.freePort();
        SmtpSink sink = keep(SmtpSink.start(dir, "127.0.0.1", sinkPort));
        BrokenSocks broken = keep(new BrokenSocks(proxyPort, mode));
        startQueue(sinkPort, "127.0.0.1 port=" + proxyPort + " tmo=2");

        String id = enqueue("dropped after the handshake", 1000);
        await("an attempt through the broken proxy", () -> !transport.of(id).isEmpty());
        DeliveryReport report = transport.of(id).getFirst();
        assertThat(status(report)).isEqualTo(Status.DEFERRED);
        assertThat(report.proxy()).isEqualTo(prx(proxyPort));
        assertThat(broken.connectRequests()).isGreaterThanOrEqualTo(1);
        await("the deferral written to the queue", () -> recipient(id).attempts() >= 1);
        assertThat(recipient(id).history().getFirst().proxy()).isEqualTo(prx(proxyPort));
        assertThat(recipient(id).status()).isEqualTo(RecipientState.Status.DEFERRED);
        if (mode == BrokenSocks.Mode.CLOSE_AFTER_CONNECT) {
            assertThat(text(report)).contains("closed");
        }
        assertThat(sink.dumps()).isEmpty();

        broken.close();
        keep(Dante.start(dir, proxyPort, "none", 0));
        awaitGone(id);
        assertThat(transport.of(id).getLast().proxy()).isEqualTo(prx(proxyPort));
        assertThat(transport.of(id)).extracting(SocksProxyOutageTest::status).filteredOn(s -> s == Status.DELIVERED).hasSize(1);
        assertThat(sink.dumps()).hasSize(1);
    }

    /**
     * A working proxy that sends its CONNECT reply and the destination's greeting in one write: the greeting
     * that arrives with the reply is the session's, not lost with the handshake's bytes.
     */
    @Test
    void aGreetingInTheSameWriteAsTheConnectReplyIsRead() throws Exception {
        int sinkPort = PeerProcess.freePort();
        SmtpSink sink = keep(SmtpSink.start(dir, "127.0.0.1", sinkPort));
        BrokenSocks coalescing = keep(new BrokenSocks(0, BrokenSocks.Mode.RELAY_COALESCED));
        startQueue(sinkPort, "127.0.0.1 port=" + coalescing.port() + " tmo=2");

        String id = enqueue("coalesced", 1000);
        awaitGone(id);
        assertThat(transport.of(id)).singleElement().satisfies(r -> {
            assertThat(status(r)).as(text(r)).isEqualTo(Status.DELIVERED);
            assertThat(r.proxy()).isEqualTo(prx(coalescing.port()));
        });
        assertThat(sink.dumps()).hasSize(1);
    }
}
