package dev.postern.server;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.postern.relay.queue.Fsync;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * What a failed delivery says about its cleanup (MaildirStoreTest covers the failures themselves): nothing
 * when the partial file went, and the file it could not remove when one stays behind.
 */
class MaildirStoreCleanupTest {

    private static final byte[] CONTENT = "Subject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path root;

    private MaildirStore failingFileFlush(boolean leaveSomethingBehind) throws IOException {
        return MaildirStore.open(root, new MaildirNames("mx.test", Clock.systemUTC()), new Fsync() {
            @Override
            public void file(FileChannel channel) throws IOException {
                if (leaveSomethingBehind) {
                    // the partial file is replaced by a directory that deleteIfExists cannot remove
                    try (var files = Files.list(root.resolve("tmp"))) {
                        Path partial = files.findFirst().orElseThrow();
                        Files.delete(partial);
                        Files.createDirectories(partial.resolve("busy"));
                    }
                }
                throw new IOException("EIO on fsync");
            }

            @Override
            public void directory(Path dir) throws IOException {
                Fsync.REAL.directory(dir);
            }
        });
    }

    @Test
    void aCleanFailureSaysNothingAboutRemovingFiles() throws IOException {
        Logger log = (Logger) LoggerFactory.getLogger(MaildirStore.class);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        log.addAppender(events);
        try {
            MaildirStore.DeliveryFailed failed = catchThrowableOfType(MaildirStore.DeliveryFailed.class,
                    () -> failingFileFlush(false).deliver(FakeMessage.of(CONTENT)));
            assertThat(failed.detail()).contains("EIO on fsync").doesNotContain("cannot remove").doesNotEndWith("; ");
            assertThat(failed.reply().code()).isEqualTo(451);
            assertThat(events.list).isEmpty(); // the store logs only what it could not clean up
        } finally {
            log.detachAppender(events);
        }
    }

    @Test
    void aFileThatCannotBeRemovedIsNamedInTheDetail() throws IOException {
        MaildirStore.DeliveryFailed failed = catchThrowableOfType(MaildirStore.DeliveryFailed.class,
                () -> failingFileFlush(true).deliver(FakeMessage.of(CONTENT)));
        assertThat(failed.detail()).contains("EIO on fsync").contains("; cannot remove " + root.resolve("tmp"))
                .contains("after the failed delivery").doesNotContain("; null");
        assertThat(root.resolve("new")).isEmptyDirectory();
    }
}
