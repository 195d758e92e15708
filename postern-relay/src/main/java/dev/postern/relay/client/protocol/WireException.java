package dev.postern.relay.client.protocol;

/**
 * The connection failed under the dialogue: closed, reset, timed out, unreadable replies, a failed TLS
 * handshake. The message describes it for the delivery report; the attempt is deferred.
 */
public final class WireException extends Exception {

    /**
     * @param message what happened, e.g. "connection closed by the server while waiting for the reply to DATA"
     */
    public WireException(String message) {
        super(message);
    }

    /**
     * @param message what happened
     * @param cause   the underlying exception
     */
    public WireException(String message, Throwable cause) {
        super(message, cause);
    }
}
