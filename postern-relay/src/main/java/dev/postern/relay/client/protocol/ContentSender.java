package dev.postern.relay.client.protocol;

import dev.postern.relay.MessageContent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Streams a message to the server block by block, never holding more than a block: after DATA's 354
 * (dot-stuffed, ending with CRLF.CRLF) or as BDAT chunks (RFC 3030).
 */
final class ContentSender {

    /** Octets read from the queue per block; a block encodes to at most twice as many. */
    static final int BLOCK = 64 * 1024;

    private final SmtpWire wire;
    private final Duration blockTimeout;
    private final Deadline deadline;

    ContentSender(SmtpWire wire, Duration blockTimeout, Deadline deadline) {
        this.wire = wire;
        this.blockTimeout = blockTimeout;
        this.deadline = deadline;
    }

    /**
     * Sends the content after a 354.
     *
     * @param finalReplies replies the end of data produces (one, or one per accepted LMTP recipient)
     */
    void data(MessageContent content, int finalReplies) throws IOException, WireException {
        DataEncoder encoder = new DataEncoder(true);
        byte[] in = new byte[BLOCK];
        byte[] out = new byte[DataEncoder.maxOutput(BLOCK)];
        try (InputStream stream = content.open()) {
            for (int n; (n = stream.readNBytes(in, 0, BLOCK)) > 0; ) {
                int len = encoder.encode(in, 0, n, out, 0);
                wire.write(out, len, 0, deadline.cap(blockTimeout));
            }
        }
        int len = encoder.finish(out, 0);
        wire.write(out, len, finalReplies, deadline.cap(blockTimeout));
    }

    /**
     * What the BDAT chunks got: a failure of a chunk before the LAST one (which decides for every accepted
     * recipient), or the replies to the LAST chunk.
     *
     * @param chunkFailure the first non-2xx reply to a chunk before the LAST one, or null
     * @param last         the replies to the LAST chunk (empty when it was not sent)
     */
    record ChunkReplies(Reply chunkFailure, List<Reply> last) {
    }

    /**
     * Sends the content as BDAT chunks, the last one marked LAST, and reads their replies. With pipelining,
     * chunks go out without waiting for their replies (RFC 3030 4.2 allows it), which are read after the
     * last one; without it, each chunk's reply is read before the next is sent, and a refusal stops there.
     *
     * @param lastReplies  replies the LAST chunk produces (one, or one per accepted LMTP recipient)
     * @param pipelining   whether the server offered PIPELINING
     * @param replyTimeout the bound of each chunk's reply
     * @param lastTimeout  the bound of each reply to the LAST chunk (the end-of-data wait)
     */
    ChunkReplies bdat(MessageContent content, int lastReplies, boolean pipelining, Duration replyTimeout,
                      Duration lastTimeout) throws IOException, WireException {
        DataEncoder encoder = new DataEncoder(false);
        byte[] in = new byte[BLOCK];
        byte[] chunk = new byte[DataEncoder.maxOutput(BLOCK)];
        int unread = 0;
        try (InputStream stream = content.open()) {
            int len = encoder.encode(in, 0, stream.readNBytes(in, 0, BLOCK), chunk, 0);
            for (int n; (n = stream.readNBytes(in, 0, BLOCK)) > 0; len = encoder.encode(in, 0, n, chunk, 0)) {
                send(chunk, len, false, 1);
                if (pipelining) {
                    unread++;
                } else {
                    Reply r = wire.read(deadline.cap(replyTimeout), "the reply to BDAT");
                    if (!r.positive()) {
                        return new ChunkReplies(r, List.of());
                    }
                }
            }
            len = encoder.finish(chunk, len);
            send(chunk, len, true, lastReplies);
        }
        Reply failure = null;
        for (int i = 0; i < unread; i++) {
            Reply r = wire.read(deadline.cap(replyTimeout), "the reply to BDAT");
            if (failure == null && !r.positive()) {
                failure = r;
            }
        }
        List<Reply> last = new ArrayList<>(lastReplies);
        for (int i = 0; i < lastReplies; i++) {
            last.add(wire.read(deadline.cap(lastTimeout), "the reply to BDAT LAST"));
        }
        return new ChunkReplies(failure, last);
    }

    /** One chunk: the BDAT command line, then its octets (RFC 3030 2). */
    private void send(byte[] chunk, int len, boolean last, int replies) throws WireException {
        byte[] head = ("BDAT " + len + (last ? " LAST" : "") + "\r\n").getBytes(StandardCharsets.US_ASCII);
        wire.write(head, head.length, 0, deadline.cap(blockTimeout));
        wire.write(chunk, len, replies, deadline.cap(blockTimeout));
    }
}
