package dev.postern.relay.queue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The concurrency bounds, with the real scheduler and virtual threads: through the public API. */
class ConcurrencyTest {

    @TempDir
    Path dir;

    @Test
    void attemptsStayWithinTheTotalAndPerRouteBounds() throws Exception {
        FakeTransport transport = new FakeTransport();
        transport.hold = true;
        int messages = 12;
        try (MailQueue queue = MailQueue.open(dir, MailQueue.Limits.DEFAULT)) {
            QueueManager manager = QueueManager.start(queue, transport,
                    DeliverySettings.builder().reportingMta("mx.postern.test").maxConcurrent(3).maxPerRoute(2).build());
            for (int i = 0; i < messages; i++) {
                String domain = "d" + i % 3 + ".example";
                queue.enqueue(QueueEnvelope.of("alice@example.org", List.of("r" + i + "@" + domain)),
                        new ByteArrayInputStream(QueueFixture.CONTENT));
            }
            // Three attempts start and stay open; each one answered lets exactly one more in.
            List<FakeTransport.Pending> open = new ArrayList<>(List.of(transport.next(), transport.next(), transport.next()));
            for (int answered = 0; answered < messages; answered++) {
                assertThat(transport.inFlight.get()).isLessThanOrEqualTo(3);
                transport.answer(open.remove(0));
                if (answered + open.size() + 1 < messages) {
                    open.add(transport.next());
                }
            }
            manager.close();
            assertThat(queue.messages()).isEmpty();
        }
        assertThat(transport.requests()).hasSize(messages);
        assertThat(transport.maxInFlight.get()).isEqualTo(3);
        assertThat(transport.maxPerRoute.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(2));
    }
}
