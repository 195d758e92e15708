package dev.postern.relay;

import java.io.IOException;
import java.io.InputStream;

/** The octets of a queued message, as received (CRLF line endings, not dot-stuffed). */
@FunctionalInterface
public interface MessageContent {

    /**
     * Opens a new stream over the whole content; each call starts at the beginning.
     *
     * @return the stream, which the caller closes
     * @throws IOException when the content cannot be read
     */
    InputStream open() throws IOException;
}
