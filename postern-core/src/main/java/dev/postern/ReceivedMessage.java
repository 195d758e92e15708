package dev.postern;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;

/**
 * A received message as handed to {@link SmtpHandler#onMessage}: the envelope and the content
 * (dot-unstuffed, with the line-ending policy applied, and the fields added by hooks in place).
 *
 * <p>The content lives in memory up to a threshold and in a spool file beyond it, so a large message
 * never has to fit in the heap. It is valid only while {@code onMessage} runs.
 */
public interface ReceivedMessage {

    /** The message id used in the 250 reply and in logs: session id plus a sequence number. */
    String id();

    Envelope envelope();

    Instant receivedAt();

    /** The content size in octets, including added header fields. */
    long size();

    /** The client's header fields. */
    java.util.List<HeaderField> headers();

    /** Opens a new stream over the whole content; each call starts at the beginning. */
    InputStream openStream() throws IOException;

    /** The whole content as bytes: convenient for small messages, dangerous for large ones. */
    default byte[] readAllBytes() throws IOException {
        try (InputStream in = openStream()) {
            return in.readAllBytes();
        }
    }
}
