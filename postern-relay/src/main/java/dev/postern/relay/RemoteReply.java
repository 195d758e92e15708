package dev.postern.relay;

import java.util.Objects;

/**
 * A reply from the next hop, or Postern's own description of a failure that had no reply.
 *
 * @param code           the three-digit reply code, or 0 when there was no reply (connection failure, timeout)
 * @param enhancedStatus the RFC 3463 enhanced status code (e.g. {@code 5.1.1}), or null
 * @param text           the reply text, lines joined with a space, or the failure's description
 */
public record RemoteReply(int code, String enhancedStatus, String text) {

    /** Validates. */
    public RemoteReply {
        Objects.requireNonNull(text, "text");
    }

    /**
     * A failure without a reply (e.g. connection refused), which counts as temporary.
     *
     * @param description what went wrong
     * @return the reply, with code 0
     */
    public static RemoteReply none(String description) {
        return new RemoteReply(0, null, description);
    }

    /** @return the reply as a log line would show it: {@code 550 5.1.1 text}, or the description */
    @Override
    public String toString() {
        if (code == 0) {
            return text;
        }
        return code + (enhancedStatus == null ? "" : " " + enhancedStatus) + " " + text;
    }
}
