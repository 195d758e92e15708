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

    /**
     * The message id used in the 250 reply and in logs: the id its transaction had from MAIL FROM on
     * ({@link SmtpSession#transactionId()}), the session id plus the transaction's number.
     *
     * @return the id, e.g. {@code HBC3QWVIMB.1} for the first transaction of session {@code HBC3QWVIMB}
     */
    String id();

    /**
     * The envelope the message came with.
     *
     * @return the reverse path, the accepted recipients and the MAIL parameters
     */
    Envelope envelope();

    /**
     * When the content started: the moment DATA or the first BDAT was accepted.
     *
     * @return that instant, from the server's clock
     */
    Instant receivedAt();

    /**
     * When the content ended: the moment its last octet (the end-of-data line, or the last BDAT chunk)
     * arrived. With {@link #receivedAt()}, how long the client took to send it.
     *
     * @return that instant, from the server's clock; {@link #receivedAt()} for a message not made by the
     *         server (the default)
     */
    default Instant completedAt() {
        return receivedAt();
    }

    /**
     * The content size in octets, including added header fields.
     *
     * @return the number of octets {@link #openStream()} delivers
     */
    long size();

    /**
     * The client's header fields.
     *
     * @return the fields in order, without those added by hooks
     */
    java.util.List<HeaderField> headers();

    /**
     * Opens a new stream over the whole content; each call starts at the beginning.
     *
     * @return a stream the caller must close
     * @throws IOException if the spool file cannot be opened
     */
    InputStream openStream() throws IOException;

    /**
     * The whole content as bytes: convenient for small messages, dangerous for large ones.
     *
     * @return the {@link #size()} octets of the content
     * @throws IOException if the spool file cannot be read
     */
    default byte[] readAllBytes() throws IOException {
        try (InputStream in = openStream()) {
            return in.readAllBytes();
        }
    }
}
