package dev.postern.relay.client;

import dev.postern.Listener;
import dev.postern.ReceivedMessage;
import dev.postern.RecipientReplies;
import dev.postern.SmtpHandler;
import dev.postern.SmtpReply;
import dev.postern.SmtpServer;
import dev.postern.SmtpSession;
import dev.postern.relay.DeliveryReport;
import dev.postern.relay.RecipientOutcome.Status;
import dev.postern.relay.testing.Requests;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.postern.relay.client.SmtpSinkDeliveryTest.client;
import static dev.postern.relay.client.SmtpSinkDeliveryTest.deliver;
import static dev.postern.relay.client.SmtpSinkDeliveryTest.statuses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The relay's LMTP client against Postern's own LMTP listener: each recipient's reply after the content
 * decides that recipient alone (delivered, failed for good, deferred), in RCPT order.
 */
class PosternLmtpDeliveryTest {

    @Test
    void eachRecipientsReplyDecidesItsOutcome() throws Exception {
        List<String> stored = new CopyOnWriteArrayList<>();
        SmtpServer mda = SmtpServer.builder().hostname("mda.test")
                .configure(c -> c.listen(Listener.of("127.0.0.1", 0).withLmtp(true)))
                .handler(new SmtpHandler() {
                    @Override
                    public void onLmtpMessage(SmtpSession session, ReceivedMessage message, RecipientReplies replies) {
                        for (int i = 0; i < replies.recipients().size(); i++) {
                            String to = replies.recipients().get(i).path().address();
                            switch (to) {
                                case "gone@example.net" -> replies.reject(i, SmtpReply.of(550, "5.1.1", "No such mailbox"));
                                case "full@example.net" -> replies.reject(i, SmtpReply.of(452, "4.2.2", "Mailbox full"));
                                default -> stored.add(to);
                            }
                        }
                    }
                }).build().start();
        try (RelayClient client = client("lmtp://127.0.0.1:" + mda.port())) {
            DeliveryReport report = deliver(client, Requests.to(client, "a@example.net", "gone@example.net",
                    "full@example.net", "b@example.net"));
            assertThat(statuses(report)).containsExactly(Status.DELIVERED, Status.FAILED, Status.DEFERRED, Status.DELIVERED);
            assertThat(report.outcomes().get(1).reply().code()).isEqualTo(550);
            assertThat(report.outcomes().get(2).reply().text()).contains("Mailbox full");
            assertThat(stored).containsExactly("a@example.net", "b@example.net");
        } finally {
            mda.stop(Duration.ofSeconds(5));
        }
    }
}
