package dev.postern.relay.queue;

import dev.postern.relay.RecipientOutcome;
import dev.postern.relay.RemoteReply;
import dev.postern.relay.queue.RecipientState.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link QueueManager#offline}: the operator's actions on a queue that no server runs, then a server's start. */
class OfflineOperatorTest {

    @TempDir
    Path dir;

    private QueueFixture fx;
    private String deferred;
    private String other;

    /** Two messages deferred by a running manager, which then stops: a stopped server's queue. */
    @BeforeEach
    void queueWithDeferredMail() throws Exception {
        fx = new QueueFixture(dir).running();
        fx.transport.script = r -> RecipientOutcome.Status.DEFERRED;
        fx.transport.replies = r -> new RemoteReply(451, "4.3.0", "later");
        deferred = fx.enqueue("alice@example.org", "bob@example.net");
        other = fx.enqueue("carol@example.org", "dave@example.com");
        fx.close();
        fx.open();
    }

    @AfterEach
    void close() throws Exception {
        fx.close();
    }

    @Test
    void offlineRetryMakesRecipientsDueAndTheNextStartAttemptsThem() throws Exception {
        fx.manager = QueueManager.offline(fx.queue, fx.settings);
        Instant before = fx.message(deferred).recipients().get(0).nextAttempt();
        assertThat(before).isAfter(fx.clock.instant());
        assertThat(fx.manager.retryNow(deferred)).isTrue();
        assertThat(fx.manager.retryNow("nosuchid")).isFalse();
        assertThat(fx.message(deferred).recipients().get(0).nextAttempt()).isEqualTo(fx.clock.instant());
        assertThat(fx.message(other).recipients().get(0).nextAttempt()).isEqualTo(before);
        int attempts = fx.transport.requests().size();
        fx.close();

        fx.transport.script = r -> RecipientOutcome.Status.DELIVERED;
        fx.transport.replies = r -> FakeTransport.OK;
        fx.running();
        // only the retried message was due at the start
        assertThat(fx.transport.requests()).hasSize(attempts + 1);
        assertThat(fx.queue.message(deferred)).isEmpty();
        assertThat(fx.queue.message(other)).isPresent();
    }

    @Test
    void offlineHoldDeleteAndBounceAreWrittenDown() throws Exception {
        fx.manager = QueueManager.offline(fx.queue, fx.settings);
        assertThat(fx.manager.holdDomain("example.com")).isEqualTo(1);
        assertThat(fx.manager.bounce(deferred)).isTrue();
        assertThat(fx.queue.message(deferred)).isEmpty();
        assertThat(fx.notifications()).hasSize(1);
        assertThat(fx.notifications().get(0).recipients().get(0).address()).isEqualTo("alice@example.org");
        fx.close();

        fx.open();
        assertThat(fx.message(other).recipients().get(0).held()).isTrue();
        assertThat(fx.notifications()).hasSize(1);
        fx.manager = QueueManager.offline(fx.queue, fx.settings);
        assertThat(fx.manager.delete(other)).isTrue();
        assertThat(fx.manager.delete(other)).isFalse();
    }

    @Test
    void offlineManagerNeverAttemptsAndExcludesARunningOne() throws Exception {
        int attempts = fx.transport.requests().size();
        fx.manager = QueueManager.offline(fx.queue, fx.settings);
        fx.clock.advance(Duration.ofDays(1));
        fx.manager.retryAll();
        fx.manager.release(deferred);
        assertThat(fx.transport.requests()).hasSize(attempts);
        assertThatThrownBy(() -> QueueManager.start(fx.queue, fx.transport, fx.settings))
                .isInstanceOf(IllegalStateException.class);
        assertThat(fx.message(deferred).recipients().get(0).status()).isEqualTo(Status.DEFERRED);
    }

    @Test
    void openContentReadsTheQueuedMessageAndRefusesAnUnknownId() throws Exception {
        try (InputStream in = fx.queue.openContent(deferred)) {
            assertThat(in.readAllBytes()).isEqualTo(QueueFixture.CONTENT);
        }
        assertThatThrownBy(() -> fx.queue.openContent("nosuchid")).isInstanceOf(NoSuchFileException.class);
    }
}
