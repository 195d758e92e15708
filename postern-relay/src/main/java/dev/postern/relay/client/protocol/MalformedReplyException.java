package dev.postern.relay.client.protocol;

/** The remote sent something that is not an SMTP reply, or one beyond the parser's bounds. */
public final class MalformedReplyException extends Exception {

    /**
     * @param message what was wrong, quoting (a bounded part of) the line
     */
    public MalformedReplyException(String message) {
        super(message);
    }
}
