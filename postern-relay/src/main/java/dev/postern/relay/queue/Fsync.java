package dev.postern.relay.queue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The two flushes that make a file store crash safe: a file's content before it is renamed or linked
 * into place, and the directory after, so that the new name survives a crash. The durable queue
 * ({@link MailQueue}) uses it, and so does postern-server's Maildir store, from this one home.
 *
 * <p>An interface so that tests can record the order of the flushes and make one fail; production code
 * uses {@link #REAL}.
 */
public interface Fsync {

    /**
     * Flushes a file's content and metadata (its size among them) to the device: fsync, not fdatasync.
     *
     * @param channel the open file
     * @throws IOException if the flush fails (the data may then not be on the device)
     */
    void file(FileChannel channel) throws IOException;

    /**
     * Flushes a directory, so that the names created, renamed or removed in it survive a crash.
     *
     * @param dir the directory
     * @throws IOException if the directory cannot be opened or the flush fails
     */
    void directory(Path dir) throws IOException;

    /** The flushes the kernel really does: {@link FileChannel#force(boolean)} on the file and on the directory. */
    Fsync REAL = new Fsync() {
        @Override
        public void file(FileChannel channel) throws IOException {
            channel.force(true);
        }

        @Override
        public void directory(Path dir) throws IOException {
            // Opening a directory for reading and forcing it is how Java fsyncs a directory on Linux.
            try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
                ch.force(true);
            }
        }
    };
}
