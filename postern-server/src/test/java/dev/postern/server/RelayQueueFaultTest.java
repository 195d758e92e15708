package dev.postern.server;

import dev.postern.relay.queue.MailQueue;
import dev.postern.testing.RawSmtpClient;
import dev.postern.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The relay queue on a full file system (a small tmpfs this test mounts): new mail gets 452 4.3.1, each 250 is a
 * message in the queue, the queue's tmp/ is left clean and the server goes on answering.
 */
@Timeout(120)
class RelayQueueFaultTest {

    @TempDir
    Path dir;

    private Path mounted;
    private MailQueue queue;
    private TestServer server;

    @AfterEach
    void cleanUp() throws Exception {
        if (server != null) {
            server.close();
        }
        if (queue != null) {
            queue.close();
        }
        if (mounted != null) {
            new ProcessBuilder("umount", mounted.toString()).start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aFullQueueFileSystemAnswers452AndEvery250IsQueued() throws Exception {
        Path point = Files.createDirectory(dir.resolve("tmpfs"));
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", point.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            Assumptions.abort("cannot mount a tmpfs (needs root with mount permission): " + out);
        }
        mounted = point;
        queue = MailQueue.open(point.resolve("queue"), MailQueue.Limits.DEFAULT);
        server = TestServer.start(new RelayHandler(queue, new RelayAccess(List.of("example.org"), RelayAccess.networks("10.0.0.0/8")),
                "mx.test", Clock.systemUTC()));

        List<String> replies = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            try (RawSmtpClient c = new RawSmtpClient(server.port())) {
                replies.add(c.deliver("sender@example.net", "rcpt@example.org",
                        "Subject: " + i + "\r\n\r\n" + ("y".repeat(78) + "\r\n").repeat(400)));
            }
        }
        assertThat(replies).anyMatch(r -> r.startsWith("250 "));
        assertThat(replies).as("once the file system is full").anyMatch(r -> r.startsWith("452 4.3.1"));
        assertThat(replies).allMatch(r -> r.startsWith("250 ") || r.startsWith("452 4.3.1"));
        assertThat(queue.messages()).hasSize((int) replies.stream().filter(r -> r.startsWith("250 ")).count());
        try (Stream<Path> left = Files.list(point.resolve("queue").resolve("tmp"))) {
            assertThat(left.toList()).as("queue tmp/ after the refusals").isEmpty();
        }
        try (RawSmtpClient c = new RawSmtpClient(server.port())) {
            assertThat(c.reply()).startsWith("220 ");
            assertThat(c.cmd("EHLO still.there")).startsWith("250");
        }
    }

}
