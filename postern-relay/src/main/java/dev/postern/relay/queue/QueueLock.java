package dev.postern.relay.queue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The lock that gives one process at a time a queue directory: an exclusive {@link FileChannel#tryLock}
 * on the file {@code lock} in it. The operating system drops the lock when the process dies, so a crash
 * never leaves a queue locked. The queue takes it when opened; the queue CLI takes the same lock before
 * it changes a queue that no server runs.
 */
public final class QueueLock implements AutoCloseable {

    /** Another process (or another queue in this one) holds the lock. */
    public static final class HeldException extends IOException {
        HeldException(String message) {
            super(message);
        }
    }

    /** The lock file's name inside the queue directory. */
    public static final String FILE_NAME = "lock";

    private final Path directory;
    private final FileChannel channel;
    private final FileLock lock;

    private QueueLock(Path directory, FileChannel channel, FileLock lock) {
        this.directory = directory;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock of a queue directory without waiting, creating the directory and lock file as needed.
     *
     * @param queueDirectory the queue directory
     * @return the lock, to be closed when done
     * @throws HeldException when another process or queue holds it (the message names the holder's pid)
     * @throws IOException   when the lock file cannot be opened
     */
    public static QueueLock acquire(Path queueDirectory) throws IOException {
        Files.createDirectories(queueDirectory);
        Path file = queueDirectory.resolve(FILE_NAME);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                // The JVM keeps one lock per file per process: another queue of this process holds it.
                lock = null;
            }
            if (lock == null) {
                throw new HeldException("queue " + queueDirectory + " is in use by another process" + holder(channel));
            }
            // The holder's pid, for the message a second process gets; the lock itself is what counts.
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            return new QueueLock(queueDirectory, channel, lock);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static String holder(FileChannel channel) {
        try {
            ByteBuffer buffer = ByteBuffer.allocate(32);
            channel.read(buffer, 0);
            String pid = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).strip();
            return pid.matches("\\d+") ? " (pid " + pid + ")" : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** @return the queue directory this lock holds */
    public Path directory() {
        return directory;
    }

    /** @return whether the lock is still held */
    public boolean isHeld() {
        return lock.isValid();
    }

    /** Releases the lock. */
    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
