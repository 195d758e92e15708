package dev.postern.server.admin;

import dev.postern.SmtpServer;
import dev.postern.relay.queue.QueuedMessage;
import dev.postern.relay.queue.RecipientState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The admin package's parts without a server: token, header reading, filters, the metrics ring. */
class AdminPartsTest {

    @TempDir
    Path dir;

    @Test
    void tokenIsTheFilesFirstLineLongEnoughAndComparedWhole() throws Exception {
        Path file = Files.writeString(dir.resolve("t"), "  0123456789abcdefXYZ \nsecond line\n");
        AdminToken token = AdminToken.read(file);
        assertThat(token.matches("0123456789abcdefXYZ")).isTrue();
        assertThat(token.matches("0123456789abcdefXY")).isFalse();
        assertThat(token.matches("0123456789abcdefXYZ ")).isFalse();
        assertThat(token.matches("")).isFalse();
        assertThat(token.matches(null)).isFalse();
        assertThat(token.toString()).doesNotContain("0123");
        assertThatThrownBy(() -> AdminToken.read(Files.writeString(dir.resolve("short"), "short\n")))
                .hasMessageContaining("at least 16 characters");
        assertThatThrownBy(() -> AdminToken.read(Files.writeString(dir.resolve("space"), "0123456789 abcdefgh\n")))
                .hasMessageContaining("visible ASCII");
        assertThatThrownBy(() -> AdminToken.read(dir.resolve("missing"))).hasMessageContaining("cannot read");
    }

    @Test
    void headerBlockUnfoldsFieldsAndStopsAtTheBlankLine() throws Exception {
        String message = "Subject: a\r\n folded\r\nFrom: x@y\r\n\r\nbody line\r\nSubject: not a header\r\n";
        HeaderBlock.Parsed p = HeaderBlock.read(new ByteArrayInputStream(message.getBytes(StandardCharsets.UTF_8)), 9);
        assertThat(p.fields()).containsExactly(new HeaderBlock.Field("Subject", "a folded"), new HeaderBlock.Field("From", "x@y"));
        assertThat(p.truncated()).isFalse();
        assertThat(p.body()).isEqualTo("body line");
        assertThat(p.bodyCut()).isTrue();
        HeaderBlock.Parsed lf = HeaderBlock.read(new ByteArrayInputStream("A: 1\nB: 2\n\nbody\n".getBytes(StandardCharsets.UTF_8)), 100);
        assertThat(lf.fields()).extracting(HeaderBlock.Field::name).containsExactly("A", "B");
        assertThat(lf.body()).isEqualTo("body\n");
        assertThat(lf.bodyCut()).isFalse();
    }

    @Test
    void headerBlockIsBoundedInOctetsAndFields() throws Exception {
        String endless = "X: " + "y".repeat(HeaderBlock.MAX_OCTETS * 2);
        HeaderBlock.Parsed p = HeaderBlock.read(new ByteArrayInputStream(endless.getBytes(StandardCharsets.US_ASCII)), 100);
        assertThat(p.truncated()).isTrue();
        assertThat(p.fields()).hasSize(1);
        assertThat(p.fields().get(0).value().length()).isLessThanOrEqualTo(HeaderBlock.MAX_OCTETS);
        String many = "F: v\r\n".repeat(HeaderBlock.MAX_FIELDS + 50) + "\r\n";
        HeaderBlock.Parsed q = HeaderBlock.read(new ByteArrayInputStream(many.getBytes(StandardCharsets.US_ASCII)), 0);
        assertThat(q.fields()).hasSize(HeaderBlock.MAX_FIELDS);
        assertThat(q.truncated()).isTrue();
    }

    @Test
    void filterSelectsBySenderDomainAndState() {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        RecipientState deferred = new RecipientState("bob@Example.ORG", null, null, RecipientState.Status.DEFERRED, 1, t, t,
                null, "", "", false, false);
        RecipientState held = new RecipientState("carol@example.net", null, null, RecipientState.Status.PENDING, 0, t, null,
                null, "", "", true, false);
        QueuedMessage m = new QueuedMessage("a-b-c", t, 10, "alice@example.com", null, null, dev.postern.BodyType.UNSPECIFIED,
                false, List.of(deferred, held));
        QueuedMessage bounce = new QueuedMessage("a-b-d", t, 10, "", null, null, dev.postern.BodyType.UNSPECIFIED, false,
                List.of(deferred));
        assertThat(new QueueFilter("ALICE@example.com", null, null)).accepts(m).rejects(bounce);
        assertThat(new QueueFilter("<>", null, null)).accepts(bounce).rejects(m);
        assertThat(new QueueFilter(null, "example.org.", null)).accepts(m, bounce);
        assertThat(new QueueFilter(null, "example.com", null)).rejects(m, bounce);
        assertThat(new QueueFilter(null, null, "held")).accepts(m).rejects(bounce);
        assertThat(new QueueFilter(null, "example.net", "Deferred")).rejects(bounce).accepts(m);
        assertThat(QueueFilter.ALL).accepts(m, bounce);
        assertThatThrownBy(() -> new QueueFilter(null, null, "lost")).hasMessageContaining("unknown state");
        assertThatThrownBy(() -> new QueueFilter(null, " ", null)).hasMessageContaining("must not be empty");
        assertThat(QueueJson.state(held)).isEqualTo("held");
        assertThat(QueueJson.message(m, t.plusSeconds(90)).get("ageSeconds").asLong()).isEqualTo(90);
    }

    @Test
    void queueIdsAndDomainsAreCheckedBeforeAnythingIsLookedUp() {
        assertThat(QueueOperations.checkId("hon1jk31mq-62u-1")).isEqualTo("hon1jk31mq-62u-1");
        for (String bad : new String[] {"", "../state/x", "a-b", "A-B-C", "a-b-c/raw", "a-b-c\n"}) {
            assertThatThrownBy(() -> QueueOperations.checkId(bad)).hasMessageContaining("not a queue id");
        }
        assertThat(QueueOperations.checkDomain("Example.ORG.")).isEqualTo("example.org");
        assertThatThrownBy(() -> QueueOperations.checkDomain("exa mple.org")).hasMessageContaining("not a domain");
        assertThatThrownBy(() -> QueueOperations.checkDomain("")).hasMessageContaining("not a domain");
    }

    @Test
    void operationsOnAQueueNoServerRunsPageAndAnswerAsTheApi() throws Exception {
        try (var queue = dev.postern.relay.queue.MailQueue.open(dir.resolve("queue"), dev.postern.relay.queue.MailQueue.Limits.DEFAULT)) {
            var manager = dev.postern.relay.queue.QueueManager.offline(queue,
                    dev.postern.relay.queue.DeliverySettings.builder().reportingMta("mx.test").build());
            List<String> ids = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ids.add(queue.enqueue(dev.postern.relay.queue.QueueEnvelope.of("a@example.com", List.of("b" + i + "@example.org")),
                        new ByteArrayInputStream(("Subject: " + i + "\r\n\r\nbody\r\n").getBytes(StandardCharsets.US_ASCII))));
            }
            QueueOperations ops = new QueueOperations(queue, manager, InstantSource.system());
            QueueOperations.Page page = ops.page(QueueFilter.ALL, 2);
            assertThat(page.total()).isEqualTo(3);
            assertThat(page.messages()).hasSize(2);
            assertThat(page.messages().get(0).get("id").asText()).isEqualTo(ids.get(0));
            assertThat(ops.list(new QueueFilter(null, null, "pending"))).hasSize(3);
            assertThat(ops.show(ids.get(1)).orElseThrow().at("/headers/0/value").asText()).isEqualTo("1");
            assertThat(ops.act(ids.get(1), QueueOperations.Action.HOLD).orElseThrow().get("changed").asBoolean()).isTrue();
            assertThat(ops.act(ids.get(1), QueueOperations.Action.HOLD).orElseThrow().get("changed").asBoolean()).isFalse();
            assertThat(ops.act("aaaa-bbb-ccc", QueueOperations.Action.HOLD)).isEmpty();
            assertThat(ops.act("example.org", QueueOperations.DomainAction.RELEASE).get("count").asInt()).isEqualTo(1);
            assertThat(ops.act(QueueOperations.BulkAction.DELETE_DEFERRED).get("count").asInt()).isZero();
            assertThat(ops.act(ids.get(2), QueueOperations.Action.DELETE).orElseThrow().get("changed").asBoolean()).isTrue();
            assertThat(ops.raw(ids.get(2))).isEmpty();
            manager.close();
        }
    }

    @Test
    void metricsHistoryKeepsABoundedRingAndAddsTheCurrentReading() {
        SmtpServer smtp = SmtpServer.builder().build();
        try (MetricsHistory history = new MetricsHistory(smtp, () -> 7, Duration.ofHours(1), Duration.ofHours(3),
                InstantSource.system())) {
            for (int i = 0; i < 10; i++) {
                history.sample();
            }
            assertThat(history.size()).isEqualTo(3);
            var json = history.json();
            assertThat(json.get("times")).hasSize(4);
            assertThat(json.at("/counters/messages_accepted")).hasSize(4);
            assertThat(json.at("/gauges/queued/3").asInt()).isEqualTo(7);
            assertThat(json.get("intervalSeconds").asLong()).isEqualTo(3600);
        }
        assertThatThrownBy(() -> new MetricsHistory(smtp, null, Duration.ZERO, Duration.ofHours(1), InstantSource.system()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
