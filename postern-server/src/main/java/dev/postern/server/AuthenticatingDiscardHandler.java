package dev.postern.server;

import dev.postern.SmtpHandler;
import dev.postern.SmtpSession;
import dev.postern.auth.Credentials;

/**
 * {@code --discard} with {@code --auth}: checks AUTH against the users file and keeps no message. Unlike
 * {@link DiscardHandler} it does not run on the event loop: a password hash takes milliseconds of CPU,
 * which would stall every connection of that loop.
 */
final class AuthenticatingDiscardHandler implements SmtpHandler {

    private final AuthSettings auth;

    AuthenticatingDiscardHandler(AuthSettings auth) {
        this.auth = auth;
    }

    @Override
    public String onAuth(SmtpSession session, Credentials credentials) {
        return auth.onAuth(this, session, credentials);
    }
}
