package dev.postern.protocol;

/** A MAIL / RCPT argument that does not follow the RFC 5321 4.1.2 grammar; the message goes in the 501 reply. */
public final class PathSyntaxException extends Exception {
    public PathSyntaxException(String message) {
        super(message, null, false, false);
    }
}
