package dev.postern.server;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The two flushes a durable Maildir delivery needs: the file's content before it is linked into
 * new/, and new/ itself after, so that the new name survives a crash. An interface so that tests can
 * watch the order and make a flush fail.
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
