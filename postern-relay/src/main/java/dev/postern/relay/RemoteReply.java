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

    /**
     * A permanent failure Postern decides itself, without a remote reply (e.g. the message is larger than
     * the next hop's declared maximum). The enhanced status code is the one a delivery status notification
     * reports (RFC 3463); the recipient's status says that it is permanent.
     *
     * @param enhancedStatus the RFC 3463 code, e.g. {@code 5.3.4}
     * @param description    what was refused, and why
     * @return the reply, with code 0
     */
    public static RemoteReply local(String enhancedStatus, String description) {
        return new RemoteReply(0, Objects.requireNonNull(enhancedStatus, "enhancedStatus"), description);
    }

    /**
     * @return the reply as a log line would show it: {@code 550 5.1.1 text}, or the description (after its
     * enhanced status code, when it has one)
     */
    @Override
    public String toString() {
        if (code == 0) {
            return enhancedStatus == null ? text : enhancedStatus + " " + text;
        }
        return code + (enhancedStatus == null ? "" : " " + enhancedStatus) + " " + text;
    }
}
