package dev.postern.examples.mx;

import dev.postern.ForwardPath;
import dev.postern.MailParameters;
import dev.postern.ReceivedMessage;
import dev.postern.SmtpHandler;
import dev.postern.SmtpRejection;
import dev.postern.SmtpServer;
import dev.postern.SmtpSession;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * An embedded MX for a few domains: it refuses mail for other domains (no open relay) and for unknown
 * users, refuses content a spam filter upstream flagged, and stores each accepted message as a file in
 * its user's directory, durably (written, flushed to disk, then renamed into place) before the 250.
 *
 * <pre>
 *   java dev.postern.examples.mx.FilteringMx 127.0.0.1 2525 /var/mail/mx example.org:alice,bob example.net:carol
 * </pre>
 */
public final class FilteringMx implements SmtpHandler {

    private final Map<String, Set<String>> usersByDomain;
    private final Path store;

    /**
     * @param usersByDomain the domains this MX takes mail for, each with its users (lower case)
     * @param store         where accepted messages go: {@code store/user@domain/ID.eml}
     */
    public FilteringMx(Map<String, Set<String>> usersByDomain, Path store) {
        this.usersByDomain = Map.copyOf(usersByDomain);
        this.store = store;
    }

    /** Starts an MX on {@code host:port} (port 0: a free one). */
    public static SmtpServer start(String host, int port, Map<String, Set<String>> usersByDomain, Path store) throws IOException {
        return SmtpServer.builder()
                .listen(host, port)
                .hostname("mx.example.org")
                .configure(c -> c.maxMessageSize(10 * 1024 * 1024).maxRecipients(50))
                .handler(new FilteringMx(usersByDomain, store))
                .build()
                .start();
    }

    @Override
    public ForwardPath onRcptTo(SmtpSession session, ForwardPath to, MailParameters parameters) {
        if (to.isPostmaster()) {
            return to; // RFC 5321 4.5.1: postmaster is always accepted
        }
        String domain = to.mailbox().domain().toLowerCase(Locale.ROOT);
        Set<String> users = usersByDomain.get(domain);
        if (users == null) {
            throw SmtpRejection.of(550, "5.7.1", "Relaying denied: " + domain + " is not handled here");
        }
        if (!users.contains(to.mailbox().localPart().toLowerCase(Locale.ROOT))) {
            throw SmtpRejection.of(550, "5.1.1", "No such user here");
        }
        return to;
    }

    @Override
    public void onMessage(SmtpSession session, ReceivedMessage message) throws IOException {
        boolean flagged = message.headers().stream()
                .anyMatch(h -> h.is("X-Spam-Flag") && h.value().trim().equalsIgnoreCase("YES"));
        if (flagged) {
            throw SmtpRejection.of(550, "5.7.1", "Message refused as spam");
        }
        for (ForwardPath to : message.envelope().forwardPaths()) {
            String mailbox = to.isPostmaster() ? "postmaster" : to.address().toLowerCase(Locale.ROOT);
            store(store.resolve(mailbox), message.id() + ".eml", message);
        }
    }

    /** Written to a temporary name, forced to disk, then renamed: a crash leaves no half message. */
    private static void store(Path dir, String name, ReceivedMessage message) throws IOException {
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + name + ".tmp");
        try (InputStream in = message.openStream();
             FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            in.transferTo(java.nio.channels.Channels.newOutputStream(out));
            out.force(true);
        }
        Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true); // the rename itself
        }
    }

    /** {@code HOST PORT STORE DOMAIN:USER,USER...}; runs until the JVM is told to stop. */
    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: FilteringMx HOST PORT STORE-DIR DOMAIN:USER[,USER...] ...");
            System.exit(2);
        }
        Map<String, Set<String>> users = new java.util.HashMap<>();
        for (int i = 3; i < args.length; i++) {
            String[] du = args[i].split(":", 2);
            users.put(du[0].toLowerCase(Locale.ROOT), Set.of(du[1].toLowerCase(Locale.ROOT).split(",")));
        }
        SmtpServer server = start(args[0], Integer.parseInt(args[1]), users, Path.of(args[2]));
        System.out.println("filtering MX listening on " + server.boundAddresses());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop(Duration.ofSeconds(10));
            stopped.countDown();
        }));
        stopped.await();
    }
}
