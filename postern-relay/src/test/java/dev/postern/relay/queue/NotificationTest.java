package dev.postern.relay.queue;

import dev.postern.relay.DeliveryRequest;
import dev.postern.relay.OutboundRecipient;
import dev.postern.relay.RecipientOutcome;
import dev.postern.relay.RemoteReply;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The DSNs the manager sends, end to end: parsed back from what the transport was given. */
class NotificationTest {

    private static final RemoteReply NO_USER = new RemoteReply(550, "5.1.1", "<bob@example.net>: Recipient address rejected: User unknown");
    private static final RemoteReply TRY_LATER = new RemoteReply(451, "4.7.1", "Greylisted");

    @TempDir
    Path dir;

    private QueueFixture fx;

    @BeforeEach
    void start() throws Exception {
        fx = new QueueFixture(dir).running();
    }

    @AfterEach
    void close() throws Exception {
        fx.close();
    }

    private void script(Map<String, RecipientOutcome.Status> outcomes) {
        fx.transport.script = r -> outcomes.getOrDefault(r, RecipientOutcome.Status.DELIVERED);
        fx.transport.replies = r -> switch (outcomes.getOrDefault(r, RecipientOutcome.Status.DELIVERED)) {
            case DELIVERED -> FakeTransport.OK;
            case DEFERRED -> TRY_LATER;
            case FAILED -> NO_USER;
        };
    }

    /** The DSNs sent so far, parsed. */
    private List<ParsedDsn> dsns() throws Exception {
        List<DeliveryRequest> requests = fx.transport.requests();
        List<ParsedDsn> parsed = new java.util.ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            if (requests.get(i).sender().isEmpty()) {
                parsed.add(ParsedDsn.parse(fx.transport.contents.get(i)));
            }
        }
        return parsed;
    }

    private List<DeliveryRequest> dsnRequests() {
        return fx.transport.requests().stream().filter(r -> r.sender().isEmpty()).toList();
    }

    @Test
    void aPermanentFailureSendsTheSenderAFailureDsn() throws Exception {
        script(Map.of("bob@example.net", RecipientOutcome.Status.FAILED));
        String id = fx.enqueue(QueueFixture.withDsn("alice@example.org", null, "QQ+2B314159",
                new OutboundRecipient("bob@example.net", null, "rfc822;bob+2Bx@example.net"), OutboundRecipient.of("carol@example.net")));
        assertThat(fx.queue.message(id)).isEmpty();
        assertThat(dsnRequests()).singleElement().satisfies(r -> {
            assertThat(r.recipients()).containsExactly(OutboundRecipient.of("alice@example.org"));
            assertThat(r.recipients().get(0).dsnNotify()).isNull();
        });
        ParsedDsn dsn = dsns().get(0);
        MimeMessage m = dsn.message();
        assertThat(m.getContentType()).startsWith("multipart/report").contains("report-type=delivery-status");
        assertThat(m.getHeader("To", null)).isEqualTo("<alice@example.org>");
        assertThat(m.getHeader("From", null)).isEqualTo("Mail Delivery System <MAILER-DAEMON@mx.postern.test>");
        assertThat(m.getHeader("Auto-Submitted", null)).isEqualTo("auto-replied");
        assertThat(m.getSubject()).isEqualTo("Undelivered Mail Returned to Sender");
        assertThat(dsn.parts().getCount()).isEqualTo(3);
        assertThat(dsn.parts().getBodyPart(0).getContentType()).startsWith("text/plain");
        assertThat(dsn.text()).contains("<bob@example.net>: host " + FakeTransport.REMOTE + " said: 550 5.1.1");
        assertThat(dsn.parts().getBodyPart(1).getContentType()).isEqualTo("message/delivery-status");
        assertThat(dsn.perMessage().getHeader("Reporting-MTA", null)).isEqualTo("dns; mx.postern.test");
        assertThat(dsn.perMessage().getHeader("Original-Envelope-Id", null)).isEqualTo("QQ+314159");
        assertThat(dsn.perMessage().getHeader("Arrival-Date", null)).isEqualTo("Mon, 2 Mar 2026 10:00:00 +0000");
        assertThat(dsn.perRecipient()).hasSize(1);
        assertThat(dsn.field(0, "Original-Recipient")).isEqualTo("rfc822;bob+x@example.net");
        assertThat(dsn.field(0, "Final-Recipient")).isEqualTo("rfc822; bob@example.net");
        assertThat(dsn.field(0, "Action")).isEqualTo("failed");
        assertThat(dsn.field(0, "Status")).isEqualTo("5.1.1");
        assertThat(dsn.field(0, "Remote-MTA")).isEqualTo("dns; mx.example.net");
        assertThat(dsn.field(0, "Diagnostic-Code")).isEqualTo("smtp; 550 5.1.1 <bob@example.net>: Recipient address rejected: User unknown");
        // No RET: the header is returned, not the message.
        assertThat(dsn.returned().getContentType()).isEqualTo("text/rfc822-headers");
        try (InputStream in = dsn.returned().getInputStream()) {
            InternetHeaders original = new InternetHeaders(in);
            assertThat(original.getHeader("Subject", null)).isEqualTo("hello");
            assertThat(original.getHeader("Message-ID", null)).isEqualTo("<m1@example.org>");
        }
    }

    @Test
    void retFullReturnsTheWholeMessage() throws Exception {
        script(Map.of("bob@example.net", RecipientOutcome.Status.FAILED));
        fx.enqueue(QueueFixture.withDsn("alice@example.org", DsnReturn.FULL, null, OutboundRecipient.of("bob@example.net")));
        ParsedDsn dsn = dsns().get(0);
        assertThat(dsn.returned().getContentType()).isEqualTo("message/rfc822");
        MimeMessage original = (MimeMessage) dsn.returned().getContent();
        assertThat(original.getSubject()).isEqualTo("hello");
        assertThat((String) original.getContent()).isEqualTo("body line\r\n.leading dot kept\r\n");
    }

    @Test
    void retFullOfAMessageOverTheBoundReturnsItsHeader() throws Exception {
        fx.close();
        fx.settings = DeliverySettings.builder().reportingMta("mx.postern.test").maxReturnedContent(50).build();
        fx.running();
        script(Map.of("bob@example.net", RecipientOutcome.Status.FAILED));
        fx.enqueue(QueueFixture.withDsn("alice@example.org", DsnReturn.FULL, null, OutboundRecipient.of("bob@example.net")));
        ParsedDsn dsn = dsns().get(0);
        assertThat(dsn.returned().getContentType()).isEqualTo("text/rfc822-headers");
        assertThat(dsn.text()).contains("too large to return whole");
    }

    @Test
    void expiryFailsTheRecipientWithADsnOf447() throws Exception {
        script(Map.of("bob@example.net", RecipientOutcome.Status.DEFERRED));
        String id = fx.enqueue("alice@example.org", "bob@example.net");
        fx.scheduler.advance(Duration.ofDays(4));
        assertThat(fx.queue.message(id)).isPresent();
        assertThat(dsnRequests()).isEmpty();
        fx.scheduler.advance(Duration.ofDays(1));
        assertThat(fx.queue.message(id)).isEmpty();
        ParsedDsn dsn = dsns().get(0);
        assertThat(dsn.field(0, "Action")).isEqualTo("failed");
        assertThat(dsn.field(0, "Status")).isEqualTo("4.4.7");
        assertThat(dsn.field(0, "Diagnostic-Code")).isEqualTo("smtp; 451 4.7.1 Greylisted");
        assertThat(dsn.field(0, "Last-Attempt-Date")).isEqualTo("Sat, 7 Mar 2026 10:00:00 +0000");
        assertThat(dsn.text()).contains("<bob@example.net>: delivery time expired; last error: host");
    }

    @Test
    void failuresOfOneAttemptShareOneDsn() throws Exception {
        script(Map.of("bob@example.net", RecipientOutcome.Status.FAILED, "carol@example.net", RecipientOutcome.Status.FAILED));
        fx.enqueue("alice@example.org", "bob@example.net", "carol@example.net", "dave@example.net");
        assertThat(dsns()).singleElement().satisfies(d -> {
            assertThat(d.perRecipient()).hasSize(2);
            assertThat(d.field(1, "Final-Recipient")).isEqualTo("rfc822; carol@example.net");
        });
    }

    @Test
    void theNullSenderIsNeverBounced() throws Exception {
        script(Map.of("bob@example.net", RecipientOutcome.Status.FAILED));
        String id = fx.enqueue("", "bob@example.net");
        assertThat(fx.queue.message(id)).isEmpty();
        assertThat(dsnRequests()).singleElement().satisfies(r -> assertThat(r.queueId()).isEqualTo(id));
    }

    @Test
    void aFailingDsnIsNotBouncedInTurn() throws Exception {
        script(Map.of("bob@example.net", RecipientOutcome.Status.FAILED, "alice@example.org", RecipientOutcome.Status.FAILED));
        fx.enqueue("alice@example.org", "bob@example.net");
        assertThat(fx.transport.requests()).hasSize(2);
        assertThat(fx.queue.messages()).isEmpty();
    }

    @Test
    void notifyNeverSendsNothing() throws Exception {
        script(Map.of("bob@example.net", RecipientOutcome.Status.FAILED));
        fx.enqueue(QueueFixture.withDsn("alice@example.org", null, null, new OutboundRecipient("bob@example.net", "NEVER", null)));
        assertThat(dsnRequests()).isEmpty();
        assertThat(fx.queue.messages()).isEmpty();
    }

    @Test
    void notifySuccessGetsARelayedDsnWhenTheNextHopDoesNotOfferDsn() throws Exception {
        fx.enqueue(QueueFixture.withDsn("alice@example.org", DsnReturn.FULL, null,
                new OutboundRecipient("bob@example.net", "SUCCESS,FAILURE", null), OutboundRecipient.of("carol@example.net")));
        ParsedDsn dsn = dsns().get(0);
        assertThat(dsn.message().getSubject()).isEqualTo("Successful Mail Delivery Report");
        assertThat(dsn.perRecipient()).hasSize(1);
        assertThat(dsn.field(0, "Final-Recipient")).isEqualTo("rfc822; bob@example.net");
        assertThat(dsn.field(0, "Action")).isEqualTo("relayed");
        assertThat(dsn.field(0, "Status")).isEqualTo("2.0.0");
        // A success DSN returns the header only, whatever RET said.
        assertThat(dsn.returned().getContentType()).isEqualTo("text/rfc822-headers");
    }

    @Test
    void notifySuccessIsLeftToANextHopThatOffersDsn() throws Exception {
        fx.transport.nextHopDsn = true;
        fx.enqueue(QueueFixture.withDsn("alice@example.org", null, null, new OutboundRecipient("bob@example.net", "SUCCESS", null)));
        assertThat(dsnRequests()).isEmpty();
    }

    @Test
    void notifyDelayGetsOneDelayedDsnOnceTheWarningTimeHasPassed() throws Exception {
        script(Map.of("bob@example.net", RecipientOutcome.Status.DEFERRED, "carol@example.net", RecipientOutcome.Status.DEFERRED));
        String id = fx.enqueue(QueueFixture.withDsn("alice@example.org", null, null,
                new OutboundRecipient("bob@example.net", "DELAY,FAILURE", null), OutboundRecipient.of("carol@example.net")));
        fx.scheduler.advance(Duration.ofHours(3));
        assertThat(dsnRequests()).isEmpty();
        fx.scheduler.advance(Duration.ofHours(2));
        assertThat(dsns()).singleElement().satisfies(d -> {
            assertThat(d.message().getSubject()).isEqualTo("Delayed Mail (still being retried)");
            assertThat(d.perRecipient()).hasSize(1);
            assertThat(d.field(0, "Action")).isEqualTo("delayed");
            assertThat(d.field(0, "Status")).isEqualTo("4.7.1");
            assertThat(d.field(0, "Will-Retry-Until")).isEqualTo("Sat, 7 Mar 2026 10:00:00 +0000");
        });
        assertThat(fx.message(id).recipients().get(0).delayNotified()).isTrue();
        fx.scheduler.advance(Duration.ofHours(8));
        assertThat(dsnRequests()).hasSize(1);
    }

    @Test
    void aDsnThatCannotBeQueuedLeavesTheFailureDeferredForTheNextAttempt() throws Exception {
        fx.close();
        boolean[] failContent = {false};
        fx.fsync = new Fsync() {
            @Override
            public void file(java.nio.channels.FileChannel channel) {
            }

            @Override
            public void directory(Path d) throws java.io.IOException {
                if (failContent[0] && d.endsWith("content")) {
                    throw new java.io.IOException("EIO");
                }
            }
        };
        fx.running();
        script(Map.of("bob@example.net", RecipientOutcome.Status.DEFERRED));
        String id = fx.enqueue("alice@example.org", "bob@example.net");
        script(Map.of("bob@example.net", RecipientOutcome.Status.FAILED));
        failContent[0] = true;
        fx.scheduler.advance(Duration.ofMinutes(1));
        RecipientState bob = fx.message(id).recipients().get(0);
        assertThat(bob.status()).isEqualTo(RecipientState.Status.DEFERRED);
        assertThat(bob.attempts()).isEqualTo(2);
        assertThat(bob.nextAttempt()).isEqualTo(fx.clock.instant().plus(Duration.ofMinutes(5)));
        failContent[0] = false;
        fx.scheduler.advance(Duration.ofMinutes(5));
        assertThat(fx.queue.message(id)).isEmpty();
        assertThat(dsnRequests()).hasSize(1);
    }
}
