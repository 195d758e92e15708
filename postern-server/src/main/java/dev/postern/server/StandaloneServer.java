package dev.postern.server;

import dev.postern.SmtpHandler;
import dev.postern.SmtpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/** Runs the server with the settings of {@code postern serve} until the JVM is asked to stop (SIGTERM, Ctrl-C). */
final class StandaloneServer {

    private static final Logger LOG = LoggerFactory.getLogger(StandaloneServer.class);

    private final ServeSettings settings;

    StandaloneServer(ServeSettings settings) {
        this.settings = settings;
    }

    /** Starts the server and returns it running; the caller stops it. */
    SmtpServer start() throws IOException {
        settings.warnings().forEach(LOG::warn);
        SmtpServer server = SmtpServer.builder()
                .config(settings.server())
                .handler(handler())
                .build()
                .start();
        LOG.info("Postern {} listening on {}, {}", settings.server().hostname(), addresses(server),
                settings.discard() ? "discarding every message" : "maildir " + settings.maildir().toAbsolutePath().normalize());
        return server;
    }

    void runUntilShutdown() throws IOException, InterruptedException {
        SmtpServer server = start();
        CountDownLatch stopped = new CountDownLatch(1);
        // A shutdown hook, so that SIGTERM lets open sessions finish (or get 421) instead of dropping them.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("stopping: open sessions get {} to finish", settings.shutdownGrace());
            server.stop(settings.shutdownGrace());
            LOG.info("stopped");
            stopped.countDown();
            // An orderly stop is a success: exit 0, where the JVM would report 143 for SIGTERM and a
            // service manager would call the stop a failure. Nothing else runs in this JVM to be cut short.
            Runtime.getRuntime().halt(0);
        }, "postern-shutdown"));
        stopped.await();
    }

    private SmtpHandler handler() throws IOException {
        if (settings.discard()) {
            return new DiscardHandler();
        }
        String hostname = settings.server().hostname();
        try {
            return new MaildirHandler(MaildirStore.open(settings.maildir(), hostname), hostname, Clock.systemDefaultZone());
        } catch (IOException e) {
            throw new IOException("cannot create maildir " + settings.maildir() + ": " + e, e);
        }
    }

    private static String addresses(SmtpServer server) {
        return server.boundAddresses().stream().map(StandaloneServer::format).collect(Collectors.joining(", "));
    }

    private static String format(InetSocketAddress a) {
        String host = a.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
