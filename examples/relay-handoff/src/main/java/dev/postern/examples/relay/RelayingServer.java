package dev.postern.examples.relay;

import dev.postern.ReceivedMessage;
import dev.postern.SmtpHandler;
import dev.postern.SmtpServer;
import dev.postern.SmtpSession;
import dev.postern.relay.client.RelayClient;
import dev.postern.relay.client.RelayClientConfig;
import dev.postern.relay.client.TlsMode;
import dev.postern.relay.queue.DeliverySettings;
import dev.postern.relay.queue.MailQueue;
import dev.postern.relay.queue.QueueManager;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * An embedded server that relays: {@code onMessage} hands each accepted message to postern-relay's
 * durable queue, and answers 250 only once the queue has it on disk. The queue's manager then delivers
 * it to a smarthost, retrying on its schedule; a full queue answers {@code 452 4.3.1} by itself
 * ({@code QueueFullException} is a rejection), so the client tries again later.
 *
 * <pre>{@code
 * try (RelayingServer relay = RelayingServer.start(Path.of("/var/spool/app-queue"), "smtp://smarthost.example:25", 2525)) {
 *     ...
 * }
 * }</pre>
 */
public final class RelayingServer implements AutoCloseable {

    private final MailQueue queue;
    private final RelayClient client;
    private final QueueManager manager;
    private final SmtpServer server;

    private RelayingServer(MailQueue queue, RelayClient client, QueueManager manager, SmtpServer server) {
        this.queue = queue;
        this.client = client;
        this.manager = manager;
        this.server = server;
    }

    /**
     * Opens the queue in {@code queueDirectory}, starts delivering to {@code smarthost} (as
     * {@code --relay} takes it, e.g. {@code smtp://127.0.0.1:2526}), and listens on 127.0.0.1:{@code port}.
     */
    public static RelayingServer start(Path queueDirectory, String smarthost, int port) throws IOException {
        MailQueue queue = MailQueue.open(queueDirectory, MailQueue.Limits.DEFAULT);
        RelayClient client = RelayClient.create(RelayClientConfig.builder()
                .target(smarthost)
                .heloName("relay.example.org")
                .tlsMode(TlsMode.OPPORTUNISTIC)
                .build());
        QueueManager manager = QueueManager.start(queue, client, DeliverySettings.builder().reportingMta("relay.example.org").build());
        try {
            SmtpServer server = SmtpServer.builder()
                    .listen("127.0.0.1", port)
                    .hostname("relay.example.org")
                    .handler(new SmtpHandler() {
                        @Override
                        public void onMessage(SmtpSession session, ReceivedMessage message) throws IOException {
                            // durable before the 250: enqueue returns once the message and its state are on disk
                            queue.enqueue(message.envelope(), message);
                        }
                    })
                    .build()
                    .start();
            return new RelayingServer(queue, client, manager, server);
        } catch (IOException | RuntimeException e) {
            manager.close();
            client.close();
            queue.close();
            throw e;
        }
    }

    /** The port clients submit to. */
    public int port() {
        return server.port();
    }

    /** The queue, e.g. to watch what is still waiting. */
    public MailQueue queue() {
        return queue;
    }

    /** Stops taking mail, then stops delivering; what is still queued stays on disk for the next start. */
    @Override
    public void close() throws IOException {
        server.stop(Duration.ofSeconds(10));
        manager.close();
        client.close();
        queue.close();
    }
}
