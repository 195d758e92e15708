package dev.postern.relay.queue;

import dev.postern.BodyType;
import dev.postern.relay.DeliveryReport;
import dev.postern.relay.DeliveryRequest;
import dev.postern.relay.OutboundRecipient;
import dev.postern.relay.RecipientOutcome;
import dev.postern.relay.RemoteReply;
import dev.postern.relay.queue.RecipientState.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QueueManagerTest {

    private static final RemoteReply TRY_LATER = new RemoteReply(451, "4.7.1", "Greylisted, try again later");
    private static final RemoteReply NO_USER = new RemoteReply(550, "5.1.1", "No such user");

    @TempDir
    Path dir;

    private QueueFixture fx;

    @AfterEach
    void close() throws IOException {
        if (fx != null) {
            fx.close();
        }
    }

    private QueueFixture running() throws IOException {
        fx = new QueueFixture(dir).running();
        return fx;
    }

    private void script(Map<String, RecipientOutcome.Status> outcomes) {
        fx.transport.script = r -> outcomes.getOrDefault(r, RecipientOutcome.Status.DELIVERED);
        fx.transport.replies = r -> switch (outcomes.getOrDefault(r, RecipientOutcome.Status.DELIVERED)) {
            case DELIVERED -> FakeTransport.OK;
            case DEFERRED -> TRY_LATER;
            case FAILED -> NO_USER;
        };
    }

    @Test
    void deliversAtOnceAndRemovesTheMessage() throws IOException {
        running();
        String id = fx.enqueue("alice@example.org", "bob@example.net");
        assertThat(fx.transport.requests()).hasSize(1);
        DeliveryRequest request = fx.transport.requests().get(0);
        assertThat(request.queueId()).isEqualTo(id);
        assertThat(request.sender()).isEqualTo("alice@example.org");
        assertThat(request.route()).isEqualTo("example.net");
        assertThat(request.size()).isEqualTo(QueueFixture.CONTENT.length);
        assertThat(fx.transport.contents.get(0)).isEqualTo(QueueFixture.CONTENT);
        assertThat(fx.queue.messages()).isEmpty();
        assertThat(Files.list(dir.resolve("state"))).isEmpty();
        assertThat(Files.list(dir.resolve("content"))).isEmpty();
    }

    @Test
    void passesTheEnvelopeFlagsAndDsnParametersOn() throws IOException {
        running();
        fx.enqueue(new QueueEnvelope("alice@example.org", List.of(new OutboundRecipient("bob@example.net", "SUCCESS", "rfc822;bob@example.net")),
                DsnReturn.HDRS, "QQ314159", BodyType.EIGHT_BIT_MIME, true));
        DeliveryRequest request = fx.transport.requests().get(0);
        assertThat(request.eightBitMime()).isTrue();
        assertThat(request.smtpUtf8()).isTrue();
        assertThat(request.dsnRet()).isEqualTo("HDRS");
        assertThat(request.dsnEnvid()).isEqualTo("QQ314159");
        assertThat(request.recipients()).containsExactly(new OutboundRecipient("bob@example.net", "SUCCESS", "rfc822;bob@example.net"));
    }

    @Test
    void recipientsOfOneRouteShareOneTransaction() throws IOException {
        running();
        fx.enqueue("alice@example.org", "bob@example.net", "carol@example.com", "dave@EXAMPLE.NET");
        assertThat(fx.transport.requests()).extracting(DeliveryRequest::route).containsExactly("example.net", "example.com");
        assertThat(fx.transport.requests().get(0).recipients()).extracting(OutboundRecipient::address)
                .containsExactly("bob@example.net", "dave@EXAMPLE.NET");
        assertThat(fx.transport.requests().get(1).recipients()).extracting(OutboundRecipient::address)
                .containsExactly("carol@example.com");
    }

    @Test
    void oneSmarthostRouteIsOneTransactionForEveryone() throws IOException {
        fx = new QueueFixture(dir);
        fx.transport.smarthost = "[smarthost.example]:587";
        fx.running();
        fx.enqueue("alice@example.org", "bob@example.net", "carol@example.com");
        assertThat(fx.transport.requests()).hasSize(1);
        assertThat(fx.transport.requests().get(0).recipients()).hasSize(2);
    }

    @Test
    void partialSuccessKeepsEachRecipientsOwnState() throws IOException {
        running();
        script(Map.of("carol@example.net", RecipientOutcome.Status.DEFERRED, "dave@example.net", RecipientOutcome.Status.FAILED));
        String id = fx.enqueue("alice@example.org", "bob@example.net", "carol@example.net", "dave@example.net");
        assertThat(fx.transport.requests()).hasSize(2);
        QueuedMessage m = fx.message(id);
        assertThat(m.recipients()).extracting(RecipientState::status).containsExactly(Status.DELIVERED, Status.DEFERRED, Status.FAILED);
        RecipientState carol = m.recipients().get(1);
        assertThat(carol.attempts()).isEqualTo(1);
        assertThat(carol.lastReply()).isEqualTo(TRY_LATER);
        assertThat(carol.remote()).isEqualTo(FakeTransport.REMOTE);
        assertThat(carol.proxy()).isEqualTo(FakeTransport.PROXY);
        assertThat(carol.lastAttempt()).isEqualTo(ManualClock.START);
        assertThat(carol.nextAttempt()).isEqualTo(ManualClock.START.plus(Duration.ofMinutes(1)));
        assertThat(m.recipients().get(2).lastReply()).isEqualTo(NO_USER);
        // What is on disk is what the manager holds.
        assertThat(StateCodec.decode(Files.readAllBytes(dir.resolve("state").resolve(id)))).isEqualTo(m);

        script(Map.of());
        fx.scheduler.advance(Duration.ofMinutes(1));
        assertThat(fx.transport.requests().get(2).recipients()).extracting(OutboundRecipient::address)
                .containsExactly("carol@example.net");
        assertThat(fx.queue.message(id)).isEmpty();
    }

    @Test
    void deferredRecipientsFollowTheScheduleUntilTheMaximumQueueTime() throws IOException {
        running();
        script(Map.of("bob@example.net", RecipientOutcome.Status.DEFERRED));
        String id = fx.enqueue("alice@example.org", "bob@example.net");
        List<Duration> waits = new ArrayList<>();
        Instant last = ManualClock.START;
        while (fx.queue.message(id).isPresent()) {
            Instant at = fx.scheduler.next().orElseThrow();
            waits.add(Duration.between(last, at));
            last = at;
            fx.scheduler.runNext();
        }
        assertThat(waits.subList(0, 8)).containsExactly(Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15),
                Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofHours(2), Duration.ofHours(4), Duration.ofHours(4));
        // The last attempt falls on the deadline, five days after arrival, and fails the recipient.
        assertThat(last).isEqualTo(ManualClock.START.plus(Duration.ofDays(5)));
        List<DeliveryRequest> attempts = fx.transport.requests().stream().filter(r -> r.queueId().equals(id)).toList();
        assertThat(attempts).hasSize(1 + waits.size());
        DeliveryRequest dsn = fx.transport.requests().get(fx.transport.requests().size() - 1);
        assertThat(dsn.sender()).isEmpty();
        assertThat(dsn.recipients()).containsExactly(OutboundRecipient.of("alice@example.org"));
        assertThat(fx.scheduler.pending()).isZero();
    }

    @Test
    void restartDeliversEverythingQueuedAtOnceWhenDue() throws IOException {
        fx = new QueueFixture(dir);
        fx.open();
        String a = fx.enqueue("alice@example.org", "bob@example.net");
        String b = fx.enqueue("alice@example.org", "carol@example.com", "dave@example.org");
        assertThat(fx.transport.requests()).isEmpty();
        fx.close();
        fx.clock.advance(Duration.ofHours(3));
        fx.running();
        assertThat(fx.transport.requests()).extracting(DeliveryRequest::queueId).containsExactlyInAnyOrder(a, b, b);
        assertThat(fx.queue.messages()).isEmpty();
    }

    @Test
    void restartKeepsTheScheduleOfDeferredRecipients() throws IOException {
        running();
        script(Map.of("bob@example.net", RecipientOutcome.Status.DEFERRED));
        String id = fx.enqueue("alice@example.org", "bob@example.net");
        fx.scheduler.advance(Duration.ofMinutes(1));
        assertThat(fx.message(id).recipients().get(0).nextAttempt()).isEqualTo(ManualClock.START.plus(Duration.ofMinutes(6)));
        fx.restart();
        assertThat(fx.transport.requests()).hasSize(2);
        script(Map.of());
        fx.scheduler.advance(Duration.ofMinutes(4));
        assertThat(fx.transport.requests()).hasSize(2);
        fx.scheduler.advance(Duration.ofMinutes(1));
        assertThat(fx.transport.requests()).hasSize(3);
        assertThat(fx.queue.messages()).isEmpty();
    }

    @Test
    void aRecipientMissingFromTheReportIsDeferred() throws IOException {
        fx = new QueueFixture(dir);
        fx.open();
        FakeTransport partial = new FakeTransport() {
            @Override
            DeliveryReport answer(DeliveryRequest request) {
                return new DeliveryReport(List.of(new RecipientOutcome("bob@example.net", RecipientOutcome.Status.DELIVERED, OK)), "", "");
            }
        };
        fx.start(partial);
        String id = fx.enqueue("alice@example.org", "bob@example.net", "carol@example.net");
        RecipientState carol = fx.message(id).recipients().get(1);
        assertThat(carol.status()).isEqualTo(Status.DEFERRED);
        assertThat(carol.lastReply().text()).contains("no outcome");
    }

    @Test
    void aTransportThatThrowsDefersTheRecipients() throws IOException {
        fx = new QueueFixture(dir);
        fx.open();
        FakeTransport throwing = new FakeTransport() {
            @Override
            public synchronized java.util.concurrent.CompletableFuture<DeliveryReport> deliver(DeliveryRequest request) {
                throw new IllegalStateException("bug in the transport");
            }
        };
        fx.start(throwing);
        String id = fx.enqueue("alice@example.org", "bob@example.net");
        RecipientState bob = fx.message(id).recipients().get(0);
        assertThat(bob.status()).isEqualTo(Status.DEFERRED);
        assertThat(bob.lastReply().text()).contains("bug in the transport");
    }

    @Test
    void aRouteThatThrowsLeavesTheMessageToBeTriedAgainLater() throws IOException {
        fx = new QueueFixture(dir);
        fx.open();
        boolean[] broken = {true};
        FakeTransport flaky = new FakeTransport() {
            @Override
            public String route(String recipient) {
                if (broken[0]) {
                    throw new IllegalArgumentException("cannot route " + recipient);
                }
                return super.route(recipient);
            }
        };
        fx.start(flaky);
        String id = fx.enqueue("alice@example.org", "bob@example.net");
        assertThat(flaky.requests()).isEmpty();
        assertThat(fx.scheduler.next()).contains(ManualClock.START.plus(Duration.ofMinutes(1)));
        broken[0] = false;
        fx.scheduler.advance(Duration.ofMinutes(1));
        assertThat(flaky.requests()).hasSize(1);
        assertThat(fx.queue.message(id)).isEmpty();
    }

    @Test
    void aFailedStateWriteKeepsTheOldStateAndTriesAgainLater() throws IOException {
        boolean[] failStateFlush = {false};
        fx = new QueueFixture(dir);
        fx.fsync = new Fsync() {
            @Override
            public void file(FileChannel channel) throws IOException {
                Fsync.REAL.file(channel);
            }

            @Override
            public void directory(Path d) throws IOException {
                if (failStateFlush[0] && d.endsWith("state")) {
                    throw new IOException("EIO");
                }
            }
        };
        fx.running();
        script(Map.of("bob@example.net", RecipientOutcome.Status.DEFERRED));
        String id = fx.enqueue("alice@example.org", "bob@example.net");
        QueuedMessage before = fx.message(id);
        failStateFlush[0] = true;
        fx.scheduler.advance(Duration.ofMinutes(1));
        assertThat(fx.message(id)).isEqualTo(before);
        assertThat(fx.scheduler.next()).contains(fx.clock.instant().plus(Duration.ofMinutes(1)));
        failStateFlush[0] = false;
        script(Map.of());
        fx.scheduler.advance(Duration.ofMinutes(1));
        assertThat(fx.queue.messages()).isEmpty();
    }

    @Test
    void closeWaitsForTheAttemptInFlightAndWritesItsOutcome() throws Exception {
        running();
        fx.transport.hold = true;
        String id = fx.enqueue("alice@example.org", "bob@example.net");
        FakeTransport.Pending attempt = fx.transport.next();
        Thread closer = Thread.ofPlatform().start(fx.manager::close);
        closer.join(200);
        assertThat(closer.isAlive()).isTrue();
        fx.transport.answer(attempt);
        closer.join(10_000);
        assertThat(closer.isAlive()).isFalse();
        assertThat(fx.queue.message(id)).isEmpty();
    }

    @Test
    void closeGivesUpOnAnAttemptAfterItsTimeoutAndTheNextStartRepeatsIt() throws Exception {
        fx = new QueueFixture(dir);
        fx.settings = DeliverySettings.builder().reportingMta("mx.postern.test").closeTimeout(Duration.ofMillis(50)).build();
        fx.running();
        fx.transport.hold = true;
        String id = fx.enqueue("alice@example.org", "bob@example.net");
        FakeTransport.Pending attempt = fx.transport.next();
        fx.close();
        fx.transport.answer(attempt);
        fx.transport.hold = false;
        fx.running();
        assertThat(fx.transport.requests()).extracting(DeliveryRequest::queueId).containsExactly(id, id);
        assertThat(fx.queue.messages()).isEmpty();
    }

    @Test
    void aSecondManagerOnTheSameQueueIsRefused() throws IOException {
        running();
        assertThatThrownBy(() -> QueueManager.start(fx.queue, fx.transport, fx.settings))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already has a manager");
        assertThatThrownBy(() -> MailQueue.open(dir, MailQueue.Limits.DEFAULT))
                .isInstanceOf(QueueLock.HeldException.class).hasMessageContaining("pid " + ProcessHandle.current().pid());
    }
}
