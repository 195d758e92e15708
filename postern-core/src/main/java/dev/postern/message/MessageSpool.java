package dev.postern.message;

import dev.postern.Envelope;
import dev.postern.ReceivedMessage;
import dev.postern.SmtpServerConfig;
import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Arrays;

/**
 * Holds the content of one message while it arrives: in memory up to a threshold, then in a spool
 * file, so fifty concurrent 20 MB messages need only fifty thresholds of heap. Bytes beyond the
 * message size limit are counted but not kept. The spool file is deleted on {@link #close()}.
 *
 * <p>Writes to the spool file happen on the thread that decodes the message; they go to the page
 * cache (no fsync: the spool is scratch space, durability is the message hook's job).
 */
public final class MessageSpool implements MessageSink {

    private final int threshold;
    private final Path directory;
    private final long maxSize;
    private byte[] memory;
    private int memoryLength;
    private Path file;
    private FileChannel channel;
    private long size;
    private IOException failure;

    MessageSpool(int threshold, Path directory, long maxSize) {
        this.threshold = threshold;
        this.directory = directory;
        this.maxSize = maxSize;
        this.memory = new byte[Math.min(threshold, 16 * 1024)];
    }

    /** The transport's {@link MessageSinkFactory}: {@code spoolThreshold} octets in memory, then a file. */
    public static MessageSpool open(SmtpServerConfig config) {
        return new MessageSpool(config.spoolThreshold(), config.spoolDirectory(), config.maxMessageSize());
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public boolean isOversize() {
        return size > maxSize;
    }

    @Override
    public IOException failure() {
        return failure;
    }

    @Override
    public ReceivedMessage message(String id, Envelope envelope, Instant receivedAt, long headerEnd, HeaderEdits edits) {
        return new SpooledMessage(id, envelope, receivedAt, this, headerEnd, edits);
    }

    @Override
    public void write(ByteBuf buf, int index, int length) {
        long before = size;
        size += length;
        if (failure != null || size > maxSize) {
            return;
        }
        if (channel == null && memoryLength + length <= threshold) {
            ensureMemory(memoryLength + length);
            buf.getBytes(index, memory, memoryLength, length);
            memoryLength += length;
            return;
        }
        try {
            spill();
            ByteBuffer nio = buf.nioBufferCount() == 1 ? buf.nioBuffer(index, length) : ByteBuffer.wrap(copy(buf, index, length));
            writeFully(nio, before);
        } catch (IOException e) {
            failure = e;
        }
    }

    @Override
    public void write(byte[] bytes) {
        long before = size;
        size += bytes.length;
        if (failure != null || size > maxSize) {
            return;
        }
        if (channel == null && memoryLength + bytes.length <= threshold) {
            ensureMemory(memoryLength + bytes.length);
            System.arraycopy(bytes, 0, memory, memoryLength, bytes.length);
            memoryLength += bytes.length;
            return;
        }
        try {
            spill();
            writeFully(ByteBuffer.wrap(bytes), before);
        } catch (IOException e) {
            failure = e;
        }
    }

    /** A stream over content octets {@code [from, to)}. */
    InputStream open(long from, long to) throws IOException {
        long kept = Math.min(size, maxSize);
        if (from < 0 || to > kept || from > to) {
            throw new IndexOutOfBoundsException("range " + from + ".." + to + " of " + kept);
        }
        if (channel == null) {
            return new java.io.ByteArrayInputStream(memory, (int) from, (int) (to - from));
        }
        FileChannel reader = FileChannel.open(file, StandardOpenOption.READ);
        reader.position(from);
        InputStream raw = Channels.newInputStream(reader);
        return new BoundedInputStream(raw, to - from);
    }

    @Override
    public void close() {
        try {
            if (channel != null) {
                channel.close();
            }
            if (file != null) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove spool file " + file, e);
        } finally {
            channel = null;
            memory = null;
        }
    }

    private void spill() throws IOException {
        if (channel != null) {
            return;
        }
        file = Files.createTempFile(directory, "postern-", ".spool");
        channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.READ);
        writeFully(ByteBuffer.wrap(memory, 0, memoryLength), 0);
    }

    private void writeFully(ByteBuffer src, long position) throws IOException {
        long p = position;
        while (src.hasRemaining()) {
            p += channel.write(src, p);
        }
    }

    private void ensureMemory(int needed) {
        if (needed > memory.length) {
            memory = Arrays.copyOf(memory, Math.min(threshold, Math.max(needed, memory.length * 2)));
        }
    }

    private static byte[] copy(ByteBuf buf, int index, int length) {
        byte[] b = new byte[length];
        buf.getBytes(index, b);
        return b;
    }

    /** Reads at most {@code remaining} octets, then closes the underlying channel stream. */
    private static final class BoundedInputStream extends InputStream {
        private final InputStream in;
        private long remaining;

        BoundedInputStream(InputStream in, long remaining) {
            this.in = in;
            this.remaining = remaining;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
