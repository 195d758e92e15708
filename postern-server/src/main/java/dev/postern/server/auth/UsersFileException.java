package dev.postern.server.auth;

/** A users file that cannot be used: unreadable, too open, or with a bad line. The message is one line, without secrets. */
public final class UsersFileException extends Exception {

    public UsersFileException(String message) {
        super(message);
    }
}
