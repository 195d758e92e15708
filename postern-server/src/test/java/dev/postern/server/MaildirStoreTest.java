package dev.postern.server;

import dev.postern.SmtpRejection;
import dev.postern.relay.queue.Fsync;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MaildirStoreTest {

    private static final byte[] CONTENT = ("Received: from client.example ([192.0.2.7]) by mx.test (Postern) with ESMTP id S1;"
            + " Mon, 1 Jan 2024 00:00:00 +0000\r\nSubject: hello\r\n\r\nbody line\r\n.leading dot kept\r\n")
            .getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path root;

    private MaildirStore store() throws IOException {
        return MaildirStore.open(root, "mx.test");
    }

    private List<Path> files(String sub) throws IOException {
        try (Stream<Path> s = Files.list(root.resolve(sub))) {
            return s.toList();
        }
    }

    private static void assertRejected451(Throwable t) {
        assertThat(t).isInstanceOfSatisfying(SmtpRejection.class, r -> {
            assertThat(r.reply().code()).isEqualTo(451);
            assertThat(r.reply().status()).hasToString("4.3.0");
        });
    }

    @Test
    void openRefusesAnExistingMaildirThatTakesNoFileInTmpOrNew() throws Exception {
        store();
        for (String sub : new String[] {"tmp", "new"}) {
            try (Unwritable closed = Unwritable.make(root.resolve(sub))) {
                assertThatExceptionOfType(MaildirStore.NotWritable.class).as(sub).isThrownBy(this::store)
                        .withMessageStartingWith("maildir " + root + " is not writable: cannot write a file in " + root.resolve(sub)
                                + " (java.nio.file.")
                        .withMessageNotContaining("\n");
            }
        }
        store();
        assertThat(files("tmp")).as("the probe leaves nothing").isEmpty();
        assertThat(files("new")).isEmpty();
    }

    @Test
    void aFailingStoreSaysSoUntilItTakesFilesAgain() throws Exception {
        MaildirStore store = store();
        assertThat(store.failure()).isNull();
        try (Unwritable closed = Unwritable.make(root.resolve("tmp"))) {
            assertThat(store.failure()).as("no delivery has failed: not probed").isNull();
            assertThatThrownBy(() -> store.deliver(FakeMessage.of(CONTENT))).satisfies(MaildirStoreTest::assertRejected451);
            assertThat(store.failure()).startsWith("maildir " + root + " is not writable: cannot write a file in " + root.resolve("tmp"));
            assertThat(store.failure()).as("still").isNotNull();
        }
        assertThat(store.failure()).as("writable again").isNull();
        assertThat(files("tmp")).isEmpty();
        assertThat(files("new")).isEmpty();
        assertThatThrownBy(() -> store.deliver(FakeMessage.failingAfter(CONTENT, 5))).isInstanceOf(SmtpRejection.class);
        assertThat(store.failure()).as("a message that broke off: the store itself still takes files").isNull();
        Files.delete(root.resolve("new"));
        assertThatThrownBy(() -> store.deliver(FakeMessage.of(CONTENT))).satisfies(MaildirStoreTest::assertRejected451);
        Files.createDirectory(root.resolve("new"));
        store.deliver(FakeMessage.of(CONTENT));
        assertThat(store.failure()).as("a delivery succeeded").isNull();
    }

    @Test
    void openCreatesTheMaildirLayout() throws IOException {
        Path nested = root.resolve("a/b/mail");
        MaildirStore.open(nested, "mx.test");
        assertThat(nested.resolve("tmp")).isDirectory();
        assertThat(nested.resolve("new")).isDirectory();
        assertThat(nested.resolve("cur")).isDirectory();
    }

    @Test
    void openOfAnExistingMaildirKeepsItsMessages() throws IOException {
        Path stored = store().deliver(FakeMessage.of(CONTENT));
        store().deliver(FakeMessage.of(CONTENT));
        assertThat(stored).exists();
        assertThat(files("new")).hasSize(2);
    }

    @Test
    void deliversTheBytesIntactIntoNew() throws IOException {
        Path stored = store().deliver(FakeMessage.of(CONTENT));
        assertThat(stored.getParent()).isEqualTo(root.resolve("new"));
        assertThat(files("new")).containsExactly(stored);
        assertThat(Files.readAllBytes(stored)).isEqualTo(CONTENT);
        assertThat(files("tmp")).isEmpty();
        assertThat(files("cur")).isEmpty();
        assertThat(stored.getFileName().toString()).matches("\\d+\\.M\\d+P\\d+R[0-9a-f]{16}Q\\d+\\.mx\\.test");
    }

    @Test
    void deliversALargeBinaryMessageIntact() throws IOException {
        byte[] big = new byte[5 * 1024 * 1024 + 17];
        new Random(42).nextBytes(big);
        Path stored = store().deliver(FakeMessage.of(big));
        assertThat(Files.readAllBytes(stored)).isEqualTo(big);
    }

    @Test
    void concurrentDeliveriesGetUniqueNames() throws Exception {
        MaildirStore store = store();
        int threads = 8;
        int each = 100;
        Set<Path> stored = ConcurrentHashMap.newKeySet();
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < each; i++) {
                        stored.add(store.deliver(FakeMessage.of(CONTENT)));
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        }
        assertThat(stored).hasSize(threads * each);
        assertThat(files("new")).hasSize(threads * each);
        assertThat(files("tmp")).isEmpty();
    }

    @Test
    void flushesTheFileInTmpThenNewAfterTheRename() throws IOException {
        List<String> events = new ArrayList<>();
        Fsync watching = fsync(channel -> {
            events.add("file, size " + channel.size() + ", tmp holds " + files("tmp").size() + ", new holds " + files("new").size());
            Fsync.REAL.file(channel);
        }, dir -> {
            events.add("directory " + root.relativize(dir) + ", new holds " + files("new").size());
            Fsync.REAL.directory(dir);
        });
        open(watching).deliver(FakeMessage.of(CONTENT));
        assertThat(events).containsExactly(
                "file, size " + CONTENT.length + ", tmp holds 1, new holds 0",
                "directory new, new holds 1");
    }

    /**
     * A delivery through the real flushes succeeds here: each flush is recorded once the real one has
     * returned, so both ran without failing, and the message is in new/ exactly, nothing left in tmp/.
     */
    @Test
    void realDirectoryFsyncWorksOnThisFileSystem() throws IOException {
        List<String> flushed = new ArrayList<>();
        Fsync real = fsync(channel -> {
            Fsync.REAL.file(channel);
            flushed.add("file");
        }, dir -> {
            Fsync.REAL.directory(dir);
            flushed.add("directory " + root.relativize(dir));
        });
        Path stored = open(real).deliver(FakeMessage.of(CONTENT));
        assertThat(flushed).containsExactly("file", "directory new");
        assertThat(files("new")).containsExactly(stored);
        assertThat(Files.readAllBytes(stored)).isEqualTo(CONTENT);
        assertThat(files("tmp")).isEmpty();
    }

    @Test
    void openFailsWhenTheMaildirWouldBeUnderAFile() throws IOException {
        Path file = Files.writeString(root.resolve("file"), "x");
        assertThatExceptionOfType(IOException.class).isThrownBy(() -> MaildirStore.open(file.resolve("mail"), "mx.test"));
    }

    @Test
    void tmpNotADirectoryGives451AndNothingInNew() throws IOException {
        MaildirStore store = store();
        Files.delete(root.resolve("tmp"));
        Files.writeString(root.resolve("tmp"), "not a directory");
        assertThatThrownBy(() -> store.deliver(FakeMessage.of(CONTENT))).satisfies(MaildirStoreTest::assertRejected451);
        assertThat(files("new")).isEmpty();
        assertThat(root.resolve("tmp")).isRegularFile().hasContent("not a directory");
    }

    @Test
    void newNotADirectoryGives451AndLeavesNothingInTmp() throws IOException {
        MaildirStore store = store();
        Files.delete(root.resolve("new"));
        Files.writeString(root.resolve("new"), "not a directory");
        assertThatThrownBy(() -> store.deliver(FakeMessage.of(CONTENT))).satisfies(MaildirStoreTest::assertRejected451);
        assertThat(files("tmp")).isEmpty();
    }

    @Test
    void streamFailingHalfwayGives451AndLeavesNothing() throws IOException {
        MaildirStore store = store();
        assertThatThrownBy(() -> store.deliver(FakeMessage.failingAfter(CONTENT, CONTENT.length / 2)))
                .satisfies(MaildirStoreTest::assertRejected451);
        assertThat(files("tmp")).isEmpty();
        assertThat(files("new")).isEmpty();
    }

    @Test
    void uncheckedFailureHalfwayPropagatesAndLeavesNothing() throws IOException {
        MaildirStore store = store();
        IllegalStateException failure = new IllegalStateException("spool gone");
        assertThatThrownBy(() -> store.deliver(FakeMessage.failingAfter(CONTENT, 10, () -> failure))).isSameAs(failure);
        assertThat(files("tmp")).isEmpty();
        assertThat(files("new")).isEmpty();
    }

    @Test
    void fileFsyncFailureGives451AndLeavesNothing() throws IOException {
        MaildirStore store = failing(true, false);
        assertThatThrownBy(() -> store.deliver(FakeMessage.of(CONTENT))).satisfies(MaildirStoreTest::assertRejected451);
        assertThat(files("tmp")).isEmpty();
        assertThat(files("new")).isEmpty();
    }

    @Test
    void directoryFsyncFailureGives451AndTakesTheMessageBackOutOfNew() throws IOException {
        MaildirStore store = failing(false, true);
        assertThatThrownBy(() -> store.deliver(FakeMessage.of(CONTENT))).satisfies(MaildirStoreTest::assertRejected451);
        assertThat(files("tmp")).isEmpty();
        assertThat(files("new")).isEmpty();
    }

    @Test
    void storeKeepsWorkingAfterAFailure() throws IOException {
        MaildirStore store = store();
        assertThatThrownBy(() -> store.deliver(FakeMessage.failingAfter(CONTENT, 5))).isInstanceOf(SmtpRejection.class);
        Path stored = store.deliver(FakeMessage.of(CONTENT));
        assertThat(files("new")).containsExactly(stored);
    }

    private MaildirStore failing(boolean file, boolean directory) throws IOException {
        return open(fsync(channel -> {
            if (file) {
                throw new IOException("EIO on fsync");
            }
        }, dir -> {
            if (directory) {
                throw new IOException("EIO on directory fsync");
            }
        }));
    }

    private MaildirStore open(Fsync fsync) throws IOException {
        return MaildirStore.open(root, new MaildirNames("mx.test", Clock.systemUTC()), fsync);
    }

    /** One of the two flushes, as a test makes it. */
    private interface Flush<T> {
        void run(T target) throws IOException;
    }

    private static Fsync fsync(Flush<FileChannel> file, Flush<Path> directory) {
        return new Fsync() {
            @Override
            public void file(FileChannel channel) throws IOException {
                file.run(channel);
            }

            @Override
            public void directory(Path dir) throws IOException {
                directory.run(dir);
            }
        };
    }
}
