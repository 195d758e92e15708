package dev.postern.message;

import dev.postern.Envelope;
import dev.postern.HeaderField;
import dev.postern.ReceivedMessage;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.time.Instant;
import java.util.Collections;
import java.util.List;

/**
 * A {@link ReceivedMessage} over a spool: the prepended fields, the client's header block, the appended
 * fields, then the rest of the content, assembled as a stream without copying the spool.
 */
final class SpooledMessage implements ReceivedMessage {

    private final String id;
    private final Envelope envelope;
    private final Instant receivedAt;
    private final MessageSpool spool;
    private final long headerEnd;
    private final byte[] prepended;
    private final byte[] appended;
    private final List<HeaderField> headers;

    SpooledMessage(String id, Envelope envelope, Instant receivedAt, MessageSpool spool, long headerEnd,
                           HeaderEdits edits) {
        this.id = id;
        this.envelope = envelope;
        this.receivedAt = receivedAt;
        this.spool = spool;
        this.headerEnd = headerEnd;
        this.prepended = edits.prependedBytes();
        this.appended = edits.appendedBytes();
        this.headers = edits.fields();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Envelope envelope() {
        return envelope;
    }

    @Override
    public Instant receivedAt() {
        return receivedAt;
    }

    @Override
    public long size() {
        return prepended.length + spool.size() + appended.length;
    }

    @Override
    public List<HeaderField> headers() {
        return headers;
    }

    @Override
    public InputStream openStream() throws IOException {
        if (prepended.length == 0 && appended.length == 0) {
            return spool.open(0, spool.size());
        }
        List<InputStream> parts = List.of(
                new ByteArrayInputStream(prepended),
                spool.open(0, headerEnd),
                new ByteArrayInputStream(appended),
                spool.open(headerEnd, spool.size()));
        return new SequenceInputStream(Collections.enumeration(parts));
    }
}
