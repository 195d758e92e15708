package dev.postern.server;

import dev.postern.SmtpHandler;
import dev.postern.SmtpSession;
import dev.postern.auth.Credentials;

/**
 * The {@code --discard} handler: accepts every message and keeps nothing, like Postfix's smtp-sink,
 * for load tests. Without AUTH it says it is non-blocking, so the library runs every session on the
 * event loop with no thread hop; with AUTH it does not, since checking a password hash takes
 * milliseconds of CPU that must not stall the event loop.
 */
final class DiscardHandler implements SmtpHandler {

    private final AuthSettings auth;

    DiscardHandler() {
        this(AuthSettings.OFF);
    }

    DiscardHandler(AuthSettings auth) {
        this.auth = auth;
    }

    @Override
    public String onAuth(SmtpSession session, Credentials credentials) {
        return auth.onAuth(this, session, credentials);
    }

    @Override
    public boolean isNonBlocking() {
        return auth.users() == null;
    }
}
