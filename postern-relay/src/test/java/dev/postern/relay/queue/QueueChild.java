package dev.postern.relay.queue;

import dev.postern.relay.DeliveryReport;
import dev.postern.relay.DeliveryRequest;
import dev.postern.relay.OutboundTransport;
import dev.postern.relay.RecipientOutcome;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The other process of {@link ProcessTest}: {@code lock DIR} holds a queue's lock until its stdin closes;
 * {@code deliver DIR N} starts a manager, enqueues N messages and prints {@code ENQUEUED id} once each is
 * durable, while a slow transport prints {@code DELIVERED id recipient} when the "remote" accepts, and then
 * waits to be killed.
 */
public final class QueueChild {

    private QueueChild() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        if (args[0].equals("lock")) {
            try (QueueLock lock = QueueLock.acquire(dir)) {
                say("LOCKED");
                while (System.in.read() >= 0) {
                    // Held until the parent closes our stdin.
                }
            }
            return;
        }
        int n = Integer.parseInt(args[2]);
        MailQueue queue = MailQueue.open(dir, MailQueue.Limits.DEFAULT);
        QueueManager.start(queue, new SlowTransport(), DeliverySettings.builder().reportingMta("child.postern.test")
                .maxConcurrent(ProcessTest.CHILD_CONCURRENCY).maxPerRoute(2).build());
        for (int i = 0; i < n; i++) {
            String id = queue.enqueue(QueueEnvelope.of("alice@example.org", List.of("r" + i + "@a.example", "r" + i + "@b.example")),
                    new ByteArrayInputStream(QueueFixture.CONTENT));
            say("ENQUEUED " + id);
        }
        say("ALL-ENQUEUED");
        Thread.sleep(Long.MAX_VALUE);
    }

    private static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    /** Takes 20 ms per attempt, as a remote would, then accepts every recipient. */
    private static final class SlowTransport implements OutboundTransport {
        private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

        @Override
        public String route(String recipient) {
            return recipient.substring(recipient.indexOf('@') + 1);
        }

        @Override
        public CompletableFuture<DeliveryReport> deliver(DeliveryRequest request) {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                request.recipients().forEach(r -> say("DELIVERED " + request.queueId() + " " + r.address()));
                return DeliveryReport.all(request, RecipientOutcome.Status.DELIVERED, FakeTransport.OK, "child", "");
            }, threads);
        }

        @Override
        public void close() {
            threads.shutdown();
        }
    }
}
