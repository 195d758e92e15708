package dev.postern.relay.queue;

import dev.postern.relay.OutboundRecipient;
import dev.postern.relay.RemoteReply;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeliveryHistoryTest {

    private static final Instant T = Instant.parse("2026-03-02T10:00:00.123456Z");

    /** A state file exactly as Postern wrote it before recipients kept a history. */
    private static final String OLD_FORMAT = """
            postern-queue 1
            id 1a2b3c-2kx-1
            arrival 2026-03-02T10:00:00.123456Z
            size 1234
            sender alice@example.org
            ret FULL
            body EIGHT_BIT_MIME
            smtputf8 false
            rcpt address=bob@example.net status=DEFERRED attempts=2 next=2026-03-02T10:05:00Z held=false \
            delaynotified=false last=2026-03-02T10:01:00Z replycode=451 replystatus=4.7.1 replytext=try%20later \
            remote=mx.example.net[192.0.2.1]:25 proxy=PRX%3D[198.51.100.7]:1080
            rcpt address=carol@example.net status=PENDING attempts=0 next=2026-03-02T10:00:00.123456Z held=true delaynotified=false
            end
            """;

    @Test
    void aStateFileWrittenBeforeTheHistoryLoadsWithAnEmptyOneAndIsWrittenBackUnchanged() {
        QueuedMessage m = StateCodec.decode(OLD_FORMAT.getBytes(StandardCharsets.UTF_8));
        assertThat(m.recipients()).hasSize(2);
        RecipientState bob = m.recipients().getFirst();
        assertThat(bob.attempts()).isEqualTo(2);
        assertThat(bob.lastReply()).isEqualTo(new RemoteReply(451, "4.7.1", "try later"));
        assertThat(bob.proxy()).isEqualTo("PRX=[198.51.100.7]:1080");
        assertThat(bob.history()).isEmpty();
        assertThat(m.recipients().get(1).history()).isEmpty();
        assertThat(new String(StateCodec.encode(m), StandardCharsets.UTF_8)).isEqualTo(OLD_FORMAT);
    }

    @Test
    void eachAttemptIsRecordedAndTheHistoryRoundTrips() {
        RecipientState r = RecipientState.pending(new OutboundRecipient("bob@example.net", null, null), T);
        r = r.attempted(RecipientState.Status.DEFERRED, RemoteReply.none("connection refused = down\r\n"), "", "",
                T.plusSeconds(1), T.plusSeconds(60));
        r = r.attempted(RecipientState.Status.DEFERRED, new RemoteReply(451, "4.3.0", "busy"),
                "mx.example.net[192.0.2.1]:25", "PRX=[198.51.100.7]:1080", T.plusSeconds(61), T.plusSeconds(300));
        r = r.attempted(RecipientState.Status.DELIVERED, new RemoteReply(250, "2.0.0", "ok queued as X"),
                "mx.example.net[192.0.2.1]:25", "", T.plusSeconds(301), T.plusSeconds(301));
        assertThat(r.history()).extracting(DeliveryAttempt::outcome).containsExactly(RecipientState.Status.DEFERRED,
                RecipientState.Status.DEFERRED, RecipientState.Status.DELIVERED);
        assertThat(r.history().get(1)).isEqualTo(new DeliveryAttempt(T.plusSeconds(61), RecipientState.Status.DEFERRED,
                new RemoteReply(451, "4.3.0", "busy"), "mx.example.net[192.0.2.1]:25", "PRX=[198.51.100.7]:1080"));
        QueuedMessage m = new QueuedMessage("1-2-3", T, 10, "", null, null, dev.postern.BodyType.UNSPECIFIED, false,
                List.of(r, RecipientState.pending(new OutboundRecipient("carol@example.net", null, null), T)));
        byte[] encoded = StateCodec.encode(m);
        assertThat(StateCodec.decode(encoded)).isEqualTo(m);
        String text = new String(encoded, StandardCharsets.UTF_8);
        assertThat(text.lines().filter(l -> l.startsWith("attempt "))).hasSize(3);
        assertThat(text).contains("replytext=connection%20refused%20%3D%20down%0D%0A");
    }

    @Test
    void theHistoryKeepsOnlyTheLastAttemptsWhileTheCountGoesOn() {
        RecipientState r = RecipientState.pending(new OutboundRecipient("bob@example.net", null, null), T);
        int total = RecipientState.HISTORY_LIMIT + 5;
        for (int i = 1; i <= total; i++) {
            r = r.attempted(RecipientState.Status.DEFERRED, new RemoteReply(451, null, "try " + i), "", "",
                    T.plusSeconds(i), T.plusSeconds(i + 1));
        }
        assertThat(r.attempts()).isEqualTo(total);
        assertThat(r.history()).hasSize(RecipientState.HISTORY_LIMIT);
        assertThat(r.history().getFirst().reply().text()).isEqualTo("try 6");
        assertThat(r.history().getLast().reply().text()).isEqualTo("try " + total);
        // The record's constructor holds the bound too.
        List<DeliveryAttempt> many = java.util.stream.IntStream.range(0, 30).mapToObj(i -> new DeliveryAttempt(T,
                RecipientState.Status.DEFERRED, RemoteReply.none("x" + i), "", "")).toList();
        RecipientState built = new RecipientState("a@b", null, null, RecipientState.Status.DEFERRED, 30, T, T, null, "", "",
                false, false, many);
        assertThat(built.history()).hasSize(RecipientState.HISTORY_LIMIT);
        assertThat(built.history().getLast().reply().text()).isEqualTo("x29");
    }

    @Test
    void refusesAHistoryOutOfPlaceOrBeyondTheBound() {
        String attempt = "attempt time=2026-03-02T10:01:00Z outcome=DEFERRED replycode=0 replytext=refused\n";
        String beforeRcpt = OLD_FORMAT.replace("body EIGHT_BIT_MIME\n", "body EIGHT_BIT_MIME\n" + attempt);
        String tooMany = OLD_FORMAT.replace("\nrcpt address=carol", "\n" + attempt.repeat(RecipientState.HISTORY_LIMIT + 1)
                + "rcpt address=carol");
        String unknown = OLD_FORMAT.replace("\nrcpt address=carol", "\n" + attempt.replace("\n", " colour=blue\n")
                + "rcpt address=carol");
        String noReply = OLD_FORMAT.replace("\nrcpt address=carol", "\n" + attempt.replace(" replytext=refused", "")
                + "rcpt address=carol");
        for (String bad : List.of(beforeRcpt, tooMany, unknown, noReply)) {
            assertThatThrownBy(() -> StateCodec.decode(bad.getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        String full = OLD_FORMAT.replace("\nrcpt address=carol", "\n" + attempt.repeat(RecipientState.HISTORY_LIMIT)
                + "rcpt address=carol");
        assertThat(StateCodec.decode(full.getBytes(StandardCharsets.UTF_8)).recipients().getFirst().history())
                .hasSize(RecipientState.HISTORY_LIMIT);
    }

    /**
     * A failure whose DSN cannot be queued stays deferred (a failed recipient without its bounce would be a bounce
     * lost): its history and its log event must say deferred too, not failed (found in review: the history said
     * "failed" while the queue said "deferred").
     */
    @Test
    void aFailureKeptDeferredBecauseItsDsnCouldNotBeQueuedIsDeferredInItsHistoryAndItsEvent() {
        Instant now = T.plusSeconds(30);
        RemoteReply refused = new RemoteReply(550, "5.1.1", "no such user");
        RecipientState bob = RecipientState.pending(new OutboundRecipient("bob@example.net", "FAILURE", null), T)
                .attempted(RecipientState.Status.FAILED, refused, "mx.example.net[192.0.2.1]:25", "", now, now);
        RecipientState carol = RecipientState.pending(new OutboundRecipient("carol@example.net", null, null), T)
                .attempted(RecipientState.Status.DELIVERED, new RemoteReply(250, "2.0.0", "ok"), "mx.example.net[192.0.2.1]:25",
                        "", now, now);
        QueuedMessage m = new QueuedMessage("1-2-3", T, 10, "alice@example.org", null, null, dev.postern.BodyType.UNSPECIFIED,
                false, List.of(bob, carol));
        Outcomes.Applied applied = new Outcomes.Applied(m, List.of(new Outcomes.Event(bob, Outcomes.Kind.FAILED, true),
                new Outcomes.Event(carol, Outcomes.Kind.DELIVERED, false)));

        Outcomes.Redeferred redeferred = Outcomes.keepFailuresDeferred(applied, now, RetrySchedule.parse("1m", java.time.Duration.ofDays(5)));
        Outcomes.Applied kept = redeferred.applied();

        RecipientState bobNow = kept.message().recipients().getFirst();
        assertThat(bobNow.status()).isEqualTo(RecipientState.Status.DEFERRED);
        assertThat(bobNow.history()).hasSize(1);
        assertThat(bobNow.history().getLast()).isEqualTo(new DeliveryAttempt(now, RecipientState.Status.DEFERRED, refused,
                "mx.example.net[192.0.2.1]:25", ""));
        assertThat(kept.message().recipients().get(1)).isEqualTo(carol);
        assertThat(kept.events()).extracting(Outcomes.Event::kind)
                .containsExactly(Outcomes.Kind.DEFERRED, Outcomes.Kind.DELIVERED);
        assertThat(kept.events().getFirst().recipient()).isEqualTo(bobNow);
        assertThat(kept.events().getFirst().reported()).isFalse();
        assertThat(redeferred.redeferred()).containsExactly(kept.events().getFirst());
    }
}
