package dev.postern.server;

import dev.postern.relay.queue.Fsync;
import dev.postern.testing.RawSmtpClient;
import dev.postern.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Maildir store under storage faults, through real SMTP sessions: a full file system (a small tmpfs
 * this test mounts), a directory that cannot be written (the tmpfs remounted read-only: root ignores
 * permission bits), and fsync failures injected into the store. In every case each 250 is exactly one
 * complete file in new/, every failure is a 4xx, tmp/ is left clean, and the same server goes on serving.
 */
@Timeout(120)
class MaildirFaultTest {

    @TempDir
    Path dir;

    private Path mounted;
    private final List<TestServer> servers = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        servers.forEach(TestServer::close);
        if (mounted != null) {
            run("umount", mounted.toString());
        }
    }

    @Test
    void aFullFileSystemRefusesWith4xxAndEvery250IsACompleteFile() throws Exception {
        Path maildir = mountTmpfs("160k").resolve("mail");
        int port = serve(MaildirStore.open(maildir, "mx.test"));
        List<String> replies = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            replies.add(deliver(port, i, 30_000));
        }
        assertThat(replies).as("some fit, the rest do not").anyMatch(r -> r.startsWith("250 ")).anyMatch(r -> r.startsWith("451 "));
        assertEveryOutcome(maildir, replies, 30_000);

        // space again: the same server stores the next message
        try (Stream<Path> files = Files.list(maildir.resolve("new"))) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        assertThat(deliver(port, 100, 30_000)).startsWith("250 ");
    }

    @Test
    void anUnwritableMaildirRefusesWith4xxUntilItIsWritableAgain() throws Exception {
        Path root = mountTmpfs("4m");
        Path maildir = root.resolve("mail");
        int port = serve(MaildirStore.open(maildir, "mx.test"));
        assertThat(deliver(port, 1, 1000)).startsWith("250 ");

        assertThat(run("mount", "-o", "remount,ro", root.toString())).isZero();
        String refused = deliver(port, 2, 1000);
        assertThat(run("mount", "-o", "remount,rw", root.toString())).isZero();

        assertThat(refused).startsWith("451 4.3.0");
        assertThat(deliver(port, 3, 1000)).startsWith("250 ");
        assertEveryOutcome(maildir, List.of("250 ", refused, "250 "), 1000);
    }

    @Test
    void injectedFsyncFailuresRefuseWith4xxAndLeaveNothingBehind() throws Exception {
        Path maildir = dir.resolve("mail");
        AtomicInteger fileFlushes = new AtomicInteger();
        AtomicInteger dirFlushes = new AtomicInteger();
        Fsync failing = new Fsync() {
            @Override
            public void file(FileChannel channel) throws IOException {
                if (fileFlushes.incrementAndGet() % 3 == 0) {
                    throw new IOException("injected: fsync of the file failed (EIO)");
                }
                Fsync.REAL.file(channel);
            }

            @Override
            public void directory(Path d) throws IOException {
                if (dirFlushes.incrementAndGet() % 4 == 0) {
                    throw new IOException("injected: fsync of new/ failed (EIO)");
                }
                Fsync.REAL.directory(d);
            }
        };
        int port = serve(MaildirStore.open(maildir, new MaildirNames("mx.test", Clock.systemUTC()), failing));
        List<String> replies = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            replies.add(deliver(port, i, 2000));
        }
        assertThat(replies).anyMatch(r -> r.startsWith("250 ")).anyMatch(r -> r.startsWith("451 "));
        assertEveryOutcome(maildir, replies, 2000);
    }

    /** Each 250 is one complete file in new/, nothing else is there, every other reply is 4xx, tmp/ is empty. */
    private static void assertEveryOutcome(Path maildir, List<String> replies, int bodySize) throws IOException {
        long accepted = replies.stream().filter(r -> r.startsWith("250 ")).count();
        assertThat(replies).allMatch(r -> r.startsWith("250 ") || r.startsWith("4"), "250 or 4xx");
        List<Path> stored;
        try (Stream<Path> files = Files.list(maildir.resolve("new"))) {
            stored = files.toList();
        }
        assertThat(stored).hasSize((int) accepted);
        for (Path f : stored) {
            String text = Files.readString(f, StandardCharsets.US_ASCII);
            assertThat(text).startsWith("Received: ").endsWith("END-OF-MESSAGE\r\n");
            assertThat(text.length()).isGreaterThan(bodySize);
        }
        try (Stream<Path> files = Files.list(maildir.resolve("tmp"))) {
            assertThat(files.toList()).as("tmp/ after the failures").isEmpty();
        }
    }

    private int serve(MaildirStore store) throws IOException {
        TestServer server = TestServer.start(new MaildirHandler(store, "mx.test", Clock.systemUTC()));
        servers.add(server);
        return server.port();
    }

    /** One message of about {@code size} octets in its own session; the reply to the end of the data. */
    private static String deliver(int port, int n, int size) throws IOException {
        StringBuilder body = new StringBuilder("Subject: message " + n + "\r\n\r\n");
        String line = "x".repeat(76) + "\r\n";
        while (body.length() < size) {
            body.append(line);
        }
        body.append("END-OF-MESSAGE\r\n");
        try (RawSmtpClient c = new RawSmtpClient(port)) {
            String reply = c.deliver("sender@example.org", "rcpt@example.org", body.toString());
            c.cmd("QUIT");
            return reply;
        }
    }

    /**
     * Mounts a tmpfs of {@code size} on a new directory; skips the test, saying why, where this process may
     * not mount (not root, or no mount permission in this container).
     */
    private Path mountTmpfs(String size) throws Exception {
        Path point = Files.createDirectory(dir.resolve("tmpfs"));
        ProcessBuilder pb = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0755", "tmpfs", point.toString())
                .redirectErrorStream(true);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            Assumptions.abort("cannot run mount to make a small file system: " + e.getMessage());
            throw e;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            Assumptions.abort("cannot mount a tmpfs (needs root with mount permission): " + out);
        }
        mounted = point;
        return point;
    }

    private static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }
}
