package dev.postern.server;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import dev.postern.relay.queue.MailQueue;
import dev.postern.testing.PeerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code postern serve}'s shutdown hook ({@link ServeLifecycle}) in this JVM, with a stand-in for the JVM that records
 * the hook and the exit status instead of ending the test's JVM: the hook is run when the test says, as the JVM runs it
 * on SIGTERM. The stop during the reading of the settings, end to end with SIGTERM, is in {@link LauncherIT}.
 */
@Timeout(60)
class ServeLifecycleTest {

    @TempDir
    Path dir;

    /** Records what the lifecycle asks of the JVM; {@link #signal} runs the hook as SIGTERM would. */
    private static final class RecordingJvm implements ServeLifecycle.Jvm {
        final List<Thread> hooks = new ArrayList<>();
        final List<Thread> removed = new ArrayList<>();
        final CompletableFuture<Integer> halted = new CompletableFuture<>();
        final CountDownLatch halt = new CountDownLatch(1);

        @Override
        public synchronized void addShutdownHook(Thread hook) {
            hooks.add(hook);
        }

        @Override
        public synchronized void removeShutdownHook(Thread hook) {
            removed.add(hook);
        }

        @Override
        public void halt(int status) {
            halted.complete(status);
            halt.countDown();
        }

        @Override
        public void awaitHalt() throws InterruptedException {
            assertThat(halt.await(30, TimeUnit.SECONDS)).as("halted within 30 s").isTrue();
        }

        synchronized void signal() {
            assertThat(hooks).as("one shutdown hook registered").hasSize(1);
            hooks.get(0).start();
        }

        int exitStatus() throws Exception {
            return halted.get(30, TimeUnit.SECONDS);
        }
    }

    /** Runs {@code action} on the logging thread when a log line that {@code when} accepts is written, once. */
    private static final class OnLog extends UnsynchronizedAppenderBase<ILoggingEvent> implements AutoCloseable {
        private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        private final Predicate<String> when;
        private final Runnable action;
        private boolean done;

        OnLog(Predicate<String> when, Runnable action) {
            this.when = when;
            this.action = action;
            setContext(root.getLoggerContext());
            start();
            root.addAppender(this);
        }

        @Override
        protected void append(ILoggingEvent event) {
            boolean now;
            synchronized (this) {
                now = !done && when.test(event.getFormattedMessage());
                done |= now;
            }
            if (now) {
                action.run();
            }
        }

        @Override
        public void close() {
            root.detachAppender(this);
        }
    }

    private String[] relayArgs(int port) throws IOException {
        return new String[] {"--listen", "127.0.0.1:" + port, "--hostname", "mx.test", "--queue-dir", queueDir().toString(),
                "--relay", "smtp://127.0.0.1:" + PeerProcess.freePort(), "--domains", "example.org", "--tls-self-signed"};
    }

    private Path queueDir() {
        return dir.resolve("queue");
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The queue's lock is free: whoever opened it closed it. */
    private void assertQueueClosed() throws IOException {
        try (MailQueue reopened = MailQueue.open(queueDir(), MailQueue.Limits.DEFAULT)) {
            assertThat(reopened.messages()).isEmpty();
        }
    }

    @Test
    void aStopWhileTheStartIsUnderWayWaitsForItToGiveUpThenExitsZeroWithNothingBound() throws Exception {
        int port = PeerProcess.freePort();
        RecordingJvm jvm = new RecordingJvm();
        ServeLifecycle lifecycle = ServeLifecycle.install(jvm);
        StandaloneServer server = new StandaloneServer(ServeCommandTest.settings(relayArgs(port)));
        // SIGTERM as the start begins (its first line is the self-signed certificate's warning): the start goes on
        // only once the hook has asked it to give up, as the JVM's hook thread and serve's main thread would race.
        CountDownLatch asked = new CountDownLatch(1);
        try (LogCapture log = new LogCapture();
             OnLog onLog = new OnLog(m -> m.startsWith("stopping during start-up"), asked::countDown);
             OnLog sigterm = new OnLog(m -> m.startsWith("--tls-self-signed:"), () -> {
                 jvm.signal();
                 try {
                     assertThat(asked.await(10, TimeUnit.SECONDS)).as("the hook asked the start to give up").isTrue();
                 } catch (InterruptedException e) {
                     Thread.currentThread().interrupt();
                 }
             })) {
            server.runUntilShutdown(lifecycle); // returns once the stand-in JVM halted
            assertThat(jvm.exitStatus()).isZero();
            assertThat(log.messages()).contains("stopped").noneMatch(m -> m.contains("listening"));
        }
        assertThat(listening(port)).as("nothing listens on " + port).isFalse();
        assertQueueClosed();
        assertThat(jvm.removed).as("the hook stays: it ended the JVM").isEmpty();
    }

    @Test
    void aStopOnceListeningDrainsAndStopsTheServerThenExitsZero() throws Exception {
        int port = PeerProcess.freePort();
        RecordingJvm jvm = new RecordingJvm();
        ServeLifecycle lifecycle = ServeLifecycle.install(jvm);
        StandaloneServer server = new StandaloneServer(ServeCommandTest.settings(relayArgs(port)));
        try (LogCapture log = new LogCapture()) {
            CompletableFuture<Void> running = CompletableFuture.runAsync(() -> {
                try {
                    server.runUntilShutdown(lifecycle);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            log.await(m -> m.startsWith("Postern mx.test listening on 127.0.0.1:" + port), java.time.Duration.ofSeconds(20));
            assertThat(listening(port)).isTrue();
            jvm.signal();
            assertThat(jvm.exitStatus()).isZero();
            running.get(30, TimeUnit.SECONDS);
            assertThat(log.messages()).anyMatch(m -> m.startsWith("stopping: open sessions get")).contains("stopped");
        }
        assertThat(listening(port)).isFalse();
        assertQueueClosed();
    }

    @Test
    void aStartThatFailsRemovesTheHookSoThatItsExitStatusStands() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            RecordingJvm jvm = new RecordingJvm();
            ServeLifecycle lifecycle = ServeLifecycle.install(jvm);
            StandaloneServer server = new StandaloneServer(ServeCommandTest.settings(relayArgs(taken.getLocalPort())));
            assertThatThrownBy(() -> server.runUntilShutdown(lifecycle)).isInstanceOf(IOException.class);
            assertThat(jvm.removed).as("the hook is removed").containsExactlyElementsOf(jvm.hooks);
            assertThat(jvm.halted).isNotDone();
        }
        assertQueueClosed();
    }
}
