package dev.postern.relay.queue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The flushes that make the queue crash safe: a file's content before it is renamed into place, and
 * the directory after, so that the rename survives a crash. An interface so that tests can record the
 * order and make a flush fail. (The same shape as postern-server's, which this module does not depend on.)
 */
interface Fsync {

    void file(FileChannel channel) throws IOException;

    void directory(Path dir) throws IOException;

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
