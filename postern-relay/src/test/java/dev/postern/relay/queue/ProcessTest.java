package dev.postern.relay.queue;

import dev.postern.relay.DeliveryReport;
import dev.postern.relay.DeliveryRequest;
import dev.postern.relay.RecipientOutcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A real second process: the lock keeps it out, and a SIGKILL in the middle of delivering loses nothing. */
class ProcessTest {

    static final int CHILD_CONCURRENCY = 4;

    @TempDir
    Path dir;

    private static Process child(String... args) throws IOException {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath, QueueChild.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    @Test
    void theLockKeepsASecondProcessOut() throws Exception {
        Process holder = child("lock", dir.toString());
        try (BufferedReader out = holder.inputReader(StandardCharsets.US_ASCII)) {
            assertThat(out.readLine()).isEqualTo("LOCKED");
            assertThatThrownBy(() -> MailQueue.open(dir, MailQueue.Limits.DEFAULT))
                    .isInstanceOf(QueueLock.HeldException.class)
                    .hasMessageContaining("in use by another process (pid " + holder.pid() + ")");
            holder.getOutputStream().close();
            assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        try (MailQueue queue = MailQueue.open(dir, MailQueue.Limits.DEFAULT)) {
            assertThat(queue.messages()).isEmpty();
        }
    }

    @Test
    void killedWhileDeliveringTheNextManagerDeliversEverythingDuplicatingOnlyWhatWasInFlight() throws Exception {
        int messages = 100;
        int killAfter = 30;
        Set<String> enqueued = new HashSet<>();
        List<String> firstRun = new ArrayList<>();
        Process child = child("deliver", dir.toString(), Integer.toString(messages));
        try (BufferedReader out = child.inputReader(StandardCharsets.US_ASCII)) {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("ENQUEUED ")) {
                    enqueued.add(line.substring(9));
                } else if (line.startsWith("DELIVERED ")) {
                    firstRun.add(line.substring(10));
                    if (firstRun.size() == killAfter) {
                        // SIGKILL through the handle: Process.destroyForcibly would also close our end of the pipe,
                        // and the lines the child wrote before dying are part of what it delivered.
                        child.toHandle().destroyForcibly();
                    }
                }
            }
        }
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(firstRun).as("killed in the middle of delivering").hasSizeLessThan(2 * messages);
        assertThat(new HashSet<>(firstRun)).as("no duplicate before the crash").hasSameSizeAs(firstRun);

        Set<String> secondRun = ConcurrentHashMap.newKeySet();
        List<String> duplicatesInSecondRun = new ArrayList<>();
        try (MailQueue queue = MailQueue.open(dir, MailQueue.Limits.DEFAULT)) {
            int toDeliver = queue.messages().stream().mapToInt(m -> (int) m.recipients().stream().filter(r -> !r.isFinal()).count()).sum();
            assertThat(toDeliver).as("recipients left to deliver after the kill").isPositive();
            CountDownLatch done = new CountDownLatch(toDeliver);
            FakeTransport recording = new FakeTransport() {
                @Override
                public synchronized CompletableFuture<DeliveryReport> deliver(DeliveryRequest request) {
                    request.recipients().forEach(r -> {
                        if (!secondRun.add(request.queueId() + " " + r.address())) {
                            duplicatesInSecondRun.add(request.queueId() + " " + r.address());
                        }
                        done.countDown();
                    });
                    return CompletableFuture.completedFuture(DeliveryReport.all(request, RecipientOutcome.Status.DELIVERED, OK, "", ""));
                }
            };
            QueueManager manager = QueueManager.start(queue, recording, DeliverySettings.builder().reportingMta("mx.postern.test").build());
            assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
            manager.close();
            assertThat(queue.messages()).isEmpty();
        }
        assertThat(duplicatesInSecondRun).isEmpty();
        for (String id : enqueued) {
            for (String r : List.of("a.example", "b.example")) {
                assertThat(firstRun.stream().anyMatch(d -> d.startsWith(id + " ") && d.endsWith("@" + r))
                        || secondRun.stream().anyMatch(d -> d.startsWith(id + " ") && d.endsWith("@" + r)))
                        .as("%s to its recipient at %s delivered", id, r).isTrue();
            }
        }
        Set<String> twice = new HashSet<>(firstRun);
        twice.retainAll(secondRun);
        // Only an attempt the remote had accepted but whose outcome was not written yet is repeated: at most
        // one per attempt in flight.
        assertThat(twice.size()).as("%d enqueued, %d delivered before the kill, %d after, these twice: %s",
                enqueued.size(), firstRun.size(), secondRun.size(), twice).isLessThanOrEqualTo(CHILD_CONCURRENCY);
    }
}
