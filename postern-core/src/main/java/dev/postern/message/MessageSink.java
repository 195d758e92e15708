package dev.postern.message;

import dev.postern.Envelope;
import dev.postern.ReceivedMessage;

import java.io.IOException;
import java.time.Instant;

/**
 * Holds the content of one message while it arrives, then presents it as the {@link ReceivedMessage}
 * handed to the message hook. Bytes beyond the size limit are counted but not kept (RFC 1870 6: the
 * client is told only once the message has ended).
 */
public interface MessageSink extends ContentSink, AutoCloseable {

    /** Octets received, including those beyond the size limit. */
    long size();

    /** Whether more octets arrived than the size limit allows. */
    boolean isOversize();

    /** The I/O error that stopped storing the content, if any. */
    IOException failure();

    /**
     * The complete message: the fields {@code edits} prepends, the client's header block (content
     * octets before {@code headerEnd}), the fields it appends, then the rest of the content.
     */
    ReceivedMessage message(String id, Envelope envelope, Instant receivedAt, long headerEnd, HeaderEdits edits);

    /** Releases what the sink holds; the message it made may not be read afterwards. */
    @Override
    void close();
}
