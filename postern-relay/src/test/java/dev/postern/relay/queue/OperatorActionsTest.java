package dev.postern.relay.queue;

import dev.postern.relay.DeliveryRequest;
import dev.postern.relay.OutboundRecipient;
import dev.postern.relay.RecipientOutcome;
import dev.postern.relay.RemoteReply;
import dev.postern.relay.queue.RecipientState.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class OperatorActionsTest {

    @TempDir
    Path dir;

    private QueueFixture fx;

    @BeforeEach
    void start() throws Exception {
        fx = new QueueFixture(dir).running();
        deferAll(Set.of("example.net", "example.com"));
    }

    @AfterEach
    void close() throws Exception {
        fx.close();
    }

    /** Recipients in these domains are deferred, others delivered. */
    private void deferAll(Set<String> domains) {
        fx.transport.script = r -> domains.contains(fx.transport.route(r)) ? RecipientOutcome.Status.DEFERRED : RecipientOutcome.Status.DELIVERED;
        fx.transport.replies = r -> domains.contains(fx.transport.route(r)) ? new RemoteReply(451, "4.3.0", "later") : FakeTransport.OK;
    }

    private int attempts() {
        return fx.transport.requests().size();
    }

    private QueuedMessage onDisk(String id) throws Exception {
        return StateCodec.decode(Files.readAllBytes(dir.resolve("state").resolve(id)));
    }

    @Test
    void listAndShowGiveEachRecipientsState() {
        String a = fx.enqueue("alice@example.org", "bob@example.net", "carol@example.org");
        fx.clock.advance(Duration.ofSeconds(1));
        String b = fx.enqueue("", "dave@example.com");
        assertThat(fx.manager.list()).extracting(QueuedMessage::id).containsExactly(a, b);
        QueuedMessage m = fx.manager.show(a).orElseThrow();
        assertThat(m.sender()).isEqualTo("alice@example.org");
        assertThat(m.size()).isEqualTo(QueueFixture.CONTENT.length);
        assertThat(m.recipients()).extracting(RecipientState::status).containsExactly(Status.DEFERRED, Status.DELIVERED);
        assertThat(m.recipients().get(0).proxy()).isEqualTo(FakeTransport.PROXY);
        assertThat(m.recipients().get(0).lastReply().code()).isEqualTo(451);
        assertThat(m.nextAttempt()).contains(ManualClock.START.plus(Duration.ofMinutes(1)));
        assertThat(fx.manager.show("nope-1-1")).isEmpty();
    }

    @Test
    void retryNowAttemptsADeferredMessageAtOnce() {
        String id = fx.enqueue("alice@example.org", "bob@example.net");
        assertThat(attempts()).isEqualTo(1);
        deferAll(Set.of());
        assertThat(fx.manager.retryNow(id)).isTrue();
        assertThat(attempts()).isEqualTo(2);
        assertThat(fx.queue.messages()).isEmpty();
        assertThat(fx.manager.retryNow(id)).isFalse();
    }

    @Test
    void retryAllAttemptsEveryMessage() {
        fx.enqueue("alice@example.org", "bob@example.net");
        fx.enqueue("alice@example.org", "carol@example.com");
        assertThat(fx.manager.retryAll()).isEqualTo(2);
        assertThat(attempts()).isEqualTo(4);
    }

    @Test
    void heldMessagesAreNotAttemptedNorExpiredUntilReleased() throws Exception {
        String id = fx.enqueue("alice@example.org", "bob@example.net");
        assertThat(fx.manager.hold(id)).isTrue();
        assertThat(fx.manager.hold(id)).isFalse();
        assertThat(onDisk(id).recipients().get(0).held()).isTrue();
        assertThat(fx.message(id).isHeld()).isTrue();
        assertThat(fx.scheduler.pending()).isZero();
        fx.scheduler.advance(Duration.ofDays(6));
        assertThat(fx.manager.retryNow(id)).isTrue();
        assertThat(attempts()).isEqualTo(1);
        // Held past the maximum queue time: released, it is attempted once more, then fails.
        assertThat(fx.manager.release(id)).isTrue();
        assertThat(attempts()).isEqualTo(3);
        assertThat(fx.queue.message(id)).isEmpty();
        assertThat(fx.transport.requests().get(2).sender()).isEmpty();
    }

    @Test
    void releaseAttemptsAtOnce() throws Exception {
        String id = fx.enqueue("alice@example.org", "bob@example.net");
        fx.manager.hold(id);
        deferAll(Set.of());
        assertThat(fx.manager.release(id)).isTrue();
        assertThat(attempts()).isEqualTo(2);
        assertThat(fx.queue.message(id)).isEmpty();
        assertThat(fx.manager.release(id)).isFalse();
    }

    @Test
    void holdAndReleaseByDomainTouchOnlyThatDomain() throws Exception {
        String a = fx.enqueue("alice@example.org", "bob@example.net", "carol@example.com");
        String b = fx.enqueue("alice@example.org", "dave@EXAMPLE.net");
        String c = fx.enqueue("alice@example.org", "erin@example.com");
        assertThat(fx.manager.holdDomain("example.NET")).isEqualTo(2);
        assertThat(fx.message(a).recipients()).extracting(RecipientState::held).containsExactly(true, false);
        assertThat(fx.message(b).recipients().get(0).held()).isTrue();
        assertThat(fx.message(c).isHeld()).isFalse();
        fx.scheduler.advance(Duration.ofMinutes(1));
        assertThat(fx.transport.requests().subList(4, attempts())).extracting(DeliveryRequest::route)
                .containsExactly("example.com", "example.com");
        int before = attempts();
        deferAll(Set.of());
        assertThat(fx.manager.releaseDomain("example.net")).isEqualTo(2);
        assertThat(attempts()).isEqualTo(before + 2);
        assertThat(fx.queue.message(b)).isEmpty();
        assertThat(fx.message(a).recipients()).extracting(RecipientState::status).containsExactly(Status.DELIVERED, Status.DEFERRED);
    }

    @Test
    void deleteRemovesTheMessageWithoutDsn() throws Exception {
        String id = fx.enqueue("alice@example.org", "bob@example.net");
        assertThat(fx.manager.delete(id)).isTrue();
        assertThat(fx.queue.messages()).isEmpty();
        assertThat(Files.list(dir.resolve("content"))).isEmpty();
        assertThat(fx.scheduler.pending()).isZero();
        assertThat(fx.manager.delete(id)).isFalse();
        assertThat(attempts()).isEqualTo(1);
    }

    @Test
    void deleteDeferredRemovesDeferredRecipientsAndMessagesLeftWithNone() throws Exception {
        // A message never attempted: queued and held before the manager starts.
        fx.close();
        fx.open();
        String pending = fx.enqueue("alice@example.org", "bob@example.net");
        fx.queue.update(fx.message(pending).map(r -> true, r -> r.withHeld(true)));
        fx.start();
        String mixed = fx.enqueue("alice@example.org", "carol@example.com", "dave@example.org");
        String deferred = fx.enqueue("alice@example.org", "erin@example.net");
        assertThat(fx.manager.deleteDeferred()).isEqualTo(2);
        assertThat(fx.queue.message(deferred)).isEmpty();
        assertThat(fx.queue.message(mixed)).isEmpty();
        assertThat(fx.message(pending).recipients()).extracting(RecipientState::status).containsExactly(Status.PENDING);
        assertThat(fx.transport.requests()).noneMatch(r -> r.sender().isEmpty());
    }

    @Test
    void deleteDomainRemovesThatDomainsRecipientsOnly() throws Exception {
        String a = fx.enqueue("alice@example.org", "bob@example.net", "carol@example.com");
        String b = fx.enqueue("alice@example.org", "dave@example.net");
        assertThat(fx.manager.deleteDomain("example.net")).isEqualTo(2);
        assertThat(fx.queue.message(b)).isEmpty();
        assertThat(fx.message(a).recipients()).extracting(RecipientState::address).containsExactly("carol@example.com");
        assertThat(onDisk(a)).isEqualTo(fx.message(a));
    }

    /** The count is of the messages changed, and a message left with nothing to deliver keeps no timer. */
    @Test
    void deleteDomainCountsTheMessagesItChangedAndDropsTheTimersOfThoseItRemoved() throws Exception {
        String a = fx.enqueue("alice@example.org", "bob@example.net", "carol@example.com");
        String b = fx.enqueue("alice@example.org", "dave@example.net");
        String c = fx.enqueue("alice@example.org", "erin@example.com");
        int timers = fx.scheduler.pending();
        assertThat(timers).isEqualTo(3); // one retry each
        assertThat(fx.manager.deleteDomain("EXAMPLE.NET")).isEqualTo(2);
        assertThat(fx.queue.message(b)).isEmpty();
        assertThat(fx.scheduler.pending()).isEqualTo(2);
        assertThat(fx.message(c).recipients()).extracting(RecipientState::address).containsExactly("erin@example.com");
        assertThat(fx.message(a).recipients()).extracting(RecipientState::address).containsExactly("carol@example.com");
        assertThat(fx.manager.deleteDomain("example.net")).isZero();
    }

    @Test
    void bounceFailsWhatIsLeftAndTellsTheSender() throws Exception {
        String id = fx.enqueue("alice@example.org", "bob@example.net", "carol@example.org");
        assertThat(fx.manager.bounce(id)).isTrue();
        assertThat(fx.queue.message(id)).isEmpty();
        DeliveryRequest dsn = fx.transport.requests().get(attempts() - 1);
        assertThat(dsn.sender()).isEmpty();
        assertThat(dsn.recipients()).containsExactly(OutboundRecipient.of("alice@example.org"));
        ParsedDsn parsed = ParsedDsn.parse(fx.transport.contents.get(attempts() - 1));
        assertThat(parsed.perRecipient()).hasSize(1);
        assertThat(parsed.field(0, "Final-Recipient")).isEqualTo("rfc822; bob@example.net");
        assertThat(parsed.field(0, "Status")).isEqualTo("5.0.0");
        assertThat(parsed.text()).contains("delivery cancelled by the operator");
        assertThat(fx.manager.bounce(id)).isFalse();
    }

    @Test
    void anAttemptEndingAfterItsMessageWasDeletedChangesNothing() throws Exception {
        fx.transport.hold = true;
        String id = fx.enqueue("alice@example.org", "bob@example.net");
        FakeTransport.Pending attempt = fx.transport.next();
        fx.manager.delete(id);
        fx.transport.answer(attempt);
        assertThat(fx.queue.messages()).isEmpty();
        assertThat(Files.list(dir.resolve("state"))).isEmpty();
    }

    @Test
    void aRecipientHeldWhileItsAttemptWaitsIsNotAttempted() throws Exception {
        fx.close();
        fx.settings = DeliverySettings.builder().reportingMta("mx.postern.test").maxConcurrent(1).build();
        fx.running();
        fx.transport.hold = true;
        fx.enqueue("alice@example.org", "bob@example.net");
        FakeTransport.Pending first = fx.transport.next();
        String waiting = fx.enqueue("alice@example.org", "carol@example.com");
        fx.manager.hold(waiting);
        fx.transport.hold = false;
        fx.transport.answer(first);
        assertThat(fx.transport.requests()).hasSize(1);
        assertThat(fx.message(waiting).recipients().get(0).status()).isEqualTo(Status.PENDING);
    }
}
