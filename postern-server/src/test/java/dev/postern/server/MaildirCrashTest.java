package dev.postern.server;

import dev.postern.testing.RawSmtpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 of a server process (a child JVM, {@link MaildirCrashChild}) while a message is being received and
 * inside the fsync window (the content written to tmp/, not yet renamed into new/): after a restart on the
 * same Maildir, new/ holds exactly the acknowledged messages, each whole, and the new server stores mail.
 */
@Timeout(180)
class MaildirCrashTest {

    @TempDir
    Path dir;

    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void stopChildren() throws InterruptedException {
        for (Process p : children) {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void killedDuringDataLeavesOnlyTheAcknowledgedMessages() throws Exception {
        Path maildir = dir.resolve("mail");
        Child first = start(maildir, "normal");
        deliver(first.port, "acknowledged-1");
        deliver(first.port, "acknowledged-2");
        try (RawSmtpClient c = new RawSmtpClient(first.port)) {
            c.reply();
            c.cmd("EHLO client.example");
            c.cmd("MAIL FROM:<a@example.org>");
            c.cmd("RCPT TO:<b@example.org>");
            assertThat(c.cmd("DATA")).startsWith("354 ");
            c.send("Subject: killed-in-data\r\n\r\n" + "half a message\r\n".repeat(20_000));
            first.kill();
        }
        Child second = start(maildir, "normal");
        assertThat(stored(maildir)).containsExactlyInAnyOrder("acknowledged-1", "acknowledged-2");
        deliver(second.port, "after-restart");
        assertThat(stored(maildir)).containsExactlyInAnyOrder("acknowledged-1", "acknowledged-2", "after-restart");
    }

    @Test
    void killedInsideTheFsyncWindowLeavesNothingHalfWrittenInNew() throws Exception {
        Path maildir = dir.resolve("mail");
        Child normal = start(maildir, "normal");
        deliver(normal.port, "acknowledged-1");
        normal.kill();

        Child holding = start(maildir, "hold-in-fsync");
        try (RawSmtpClient c = new RawSmtpClient(holding.port)) {
            c.reply();
            c.cmd("EHLO client.example");
            c.cmd("MAIL FROM:<a@example.org>");
            c.cmd("RCPT TO:<b@example.org>");
            assertThat(c.cmd("DATA")).startsWith("354 ");
            c.send("Subject: killed-in-fsync\r\n\r\n" + "body\r\n".repeat(1000) + ".\r\n");
            Path marker = holding.portFile.resolveSibling("in-fsync-window");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(marker) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(marker).as("the server reached the fsync window").exists();
            holding.kill(); // the client never got its 250
        }
        Child second = start(maildir, "normal");
        assertThat(stored(maildir)).containsExactly("acknowledged-1");
        deliver(second.port, "after-restart");
        assertThat(stored(maildir)).containsExactlyInAnyOrder("acknowledged-1", "after-restart");
    }

    private record Child(Process process, int port, Path portFile) {
        void kill() throws InterruptedException {
            process.destroyForcibly(); // SIGKILL
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private Child start(Path maildir, String mode) throws Exception {
        Path run = Files.createTempDirectory(dir, "run");
        Path portFile = run.resolve("port");
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                MaildirCrashChild.class.getName(), maildir.toString(), portFile.toString(), mode)
                .redirectErrorStream(true)
                .redirectOutput(run.resolve("output").toFile())
                .start();
        children.add(p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(portFile)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("the child did not start: " + Files.readString(run.resolve("output")));
            }
            Thread.sleep(20);
        }
        return new Child(p, Integer.parseInt(Files.readString(portFile).strip()), portFile);
    }

    private static void deliver(int port, String subject) throws IOException {
        try (RawSmtpClient c = new RawSmtpClient(port)) {
            assertThat(c.deliver("a@example.org", "b@example.org", "Subject: " + subject + "\r\n\r\nwhole\r\nEND\r\n")).startsWith("250 ");
        }
    }

    /** The subjects of the messages in new/, each checked to be whole. */
    private static List<String> stored(Path maildir) throws IOException {
        List<String> subjects = new ArrayList<>();
        try (Stream<Path> files = Files.list(maildir.resolve("new"))) {
            for (Path f : files.toList()) {
                String text = Files.readString(f, StandardCharsets.US_ASCII);
                assertThat(text).as(f.toString()).startsWith("Received: ").endsWith("\r\nwhole\r\nEND\r\n");
                subjects.add(text.lines().filter(l -> l.startsWith("Subject: ")).findFirst().orElseThrow().substring(9));
            }
        }
        return subjects;
    }
}
