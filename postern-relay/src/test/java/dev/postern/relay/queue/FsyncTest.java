package dev.postern.relay.queue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link Fsync#REAL} itself: that it really asks for the flushes, not only that its users call it in the
 * right order (the queue: MailQueueTest, QueueDurabilityTest; postern-server's Maildir store:
 * MaildirStoreTest, MaildirFaultTest, MaildirCrashTest). A recording channel shows the file flush; for the
 * directory, whose channel Fsync opens itself, a path the kernel cannot fsync shows that the flush is
 * asked for.
 */
class FsyncTest {

    @TempDir
    Path dir;

    @Test
    void theFileFlushForcesContentAndMetadata() throws IOException {
        try (FileChannel real = FileChannel.open(dir.resolve("m"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             RecordingChannel recording = new RecordingChannel(real)) {
            recording.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            Fsync.REAL.file(recording);
            assertThat(recording.forced).containsExactly(true); // fsync, not fdatasync: the size is metadata
        }
    }

    @Test
    void theFileFlushReachesTheChannel() throws IOException {
        FileChannel closed = FileChannel.open(dir.resolve("m"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        closed.close();
        assertThatThrownBy(() -> Fsync.REAL.file(closed)).isInstanceOf(ClosedChannelException.class);
    }

    /**
     * Where the kernel refuses to fsync a file (Linux: EINVAL for a character device such as /dev/null),
     * both flushes fail with that error rather than succeed quietly: they ask the kernel, each time.
     */
    @Test
    void aRealFsyncThatTheKernelRefusesFails() throws IOException {
        Path devNull = Path.of("/dev/null");
        assumeTrue(kernelRefusesFsync(devNull), "this system fsyncs /dev/null without an error");
        try (FileChannel channel = FileChannel.open(devNull, StandardOpenOption.WRITE)) {
            assertThatThrownBy(() -> Fsync.REAL.file(channel)).isInstanceOf(IOException.class);
        }
        assertThatThrownBy(() -> Fsync.REAL.directory(devNull)).isInstanceOf(IOException.class);
    }

    @Test
    void theDirectoryFlushWorksOnARealDirectoryAndFailsOnAMissingOne() throws IOException {
        Fsync.REAL.directory(dir);
        assertThatThrownBy(() -> Fsync.REAL.directory(dir.resolve("missing"))).isInstanceOf(NoSuchFileException.class);
    }

    private static boolean kernelRefusesFsync(Path file) {
        if (!System.getProperty("os.name").startsWith("Linux")) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            channel.force(true);
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** A file channel that records each force() before passing it on. */
    private static final class RecordingChannel extends FileChannel {
        private final FileChannel real;
        final List<Boolean> forced = new ArrayList<>();

        RecordingChannel(FileChannel real) {
            this.real = real;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            forced.add(metaData);
            real.force(metaData);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return real.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return real.read(dsts, offset, length);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return real.write(src);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            return real.write(srcs, offset, length);
        }

        @Override
        public long position() throws IOException {
            return real.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            real.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return real.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            real.truncate(size);
            return this;
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return real.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            return real.transferFrom(src, position, count);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return real.read(dst, position);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            return real.write(src, position);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return real.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return real.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return real.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            real.close();
        }
    }
}
