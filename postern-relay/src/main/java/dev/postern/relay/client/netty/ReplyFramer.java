package dev.postern.relay.client.netty;

import dev.postern.relay.client.protocol.ReplyParser;
import io.netty.handler.codec.LineBasedFrameDecoder;

/**
 * Splits the server's bytes into lines (CRLF or LF), each at most {@link ReplyParser#MAX_LINE_LENGTH}
 * octets: a longer one fails the connection at once instead of filling memory.
 */
final class ReplyFramer extends LineBasedFrameDecoder {

    ReplyFramer() {
        super(ReplyParser.MAX_LINE_LENGTH, true, true);
    }

    /** @return whether part of a line is buffered (bytes that arrived after the last complete line) */
    boolean buffered() {
        return actualReadableBytes() > 0;
    }
}
