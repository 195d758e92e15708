package dev.postern.protocol;

import dev.postern.Envelope;
import dev.postern.HeaderField;
import dev.postern.ReceivedMessage;
import dev.postern.SmtpServerConfig;
import dev.postern.message.ContentSink;
import dev.postern.message.HeaderEdits;
import dev.postern.message.MessageSink;
import dev.postern.message.MessageSinkFactory;
import io.netty.buffer.ByteBuf;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Message sinks in memory for protocol tests: remembers every sink it opened, and can make them fail. */
public final class MemorySinks implements MessageSinkFactory {

    /** Every sink opened, in order. */
    public final List<Sink> opened = new ArrayList<>();
    /** Non-null: every new sink reports this storage failure. */
    public IOException failure;
    /** Non-null: closing a new sink (removing its spool file) fails with this. */
    public RuntimeException closeFailure;

    @Override
    public MessageSink open(SmtpServerConfig config) {
        Sink sink = new Sink(config.maxMessageSize(), failure);
        sink.closeFailure = closeFailure;
        opened.add(sink);
        return sink;
    }

    /** Whether every sink opened so far has been closed. */
    public boolean allClosed() {
        return opened.stream().allMatch(s -> s.closed);
    }

    public static final class Sink implements MessageSink {
        private final long maxSize;
        private final IOException failure;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private long size;
        private RuntimeException closeFailure;
        boolean closed;

        Sink(long maxSize, IOException failure) {
            this.maxSize = maxSize;
            this.failure = failure;
        }

        @Override
        public void write(ByteBuf buf, int index, int length) {
            byte[] b = new byte[length];
            buf.getBytes(index, b);
            write(b);
        }

        @Override
        public void write(byte[] bytes) {
            size += bytes.length;
            if (size <= maxSize) {
                kept.writeBytes(bytes);
            }
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
            byte[] content = kept.toByteArray();
            ByteArrayOutputStream whole = new ByteArrayOutputStream();
            whole.writeBytes(edits.prependedBytes());
            whole.write(content, 0, (int) headerEnd);
            whole.writeBytes(edits.appendedBytes());
            whole.write(content, (int) headerEnd, content.length - (int) headerEnd);
            return new Message(id, envelope, receivedAt, whole.toByteArray(), edits.fields());
        }

        @Override
        public void close() {
            closed = true;
            if (closeFailure != null) {
                throw closeFailure;
            }
        }
    }

    record Message(String id, Envelope envelope, Instant receivedAt, byte[] bytes, List<HeaderField> headers)
            implements ReceivedMessage {
        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public InputStream openStream() {
            return new ByteArrayInputStream(bytes);
        }
    }

    /** A content sink that appends what it is given to {@code out}, for the DATA/BDAT decoder's tests. */
    public static ContentSink into(ByteArrayOutputStream out) {
        return new ContentSink() {
            @Override
            public void write(ByteBuf buf, int index, int length) {
                byte[] b = new byte[length];
                buf.getBytes(index, b);
                out.writeBytes(b);
            }

            @Override
            public void write(byte[] bytes) {
                out.writeBytes(bytes);
            }
        };
    }
}
