package dev.postern.server;

import dev.postern.LogLevel;
import dev.postern.SmtpHandler;
import dev.postern.SmtpRejection;
import dev.postern.SmtpSession;
import dev.postern.auth.AuthConfig;
import dev.postern.auth.Credentials;
import dev.postern.server.auth.UsersAuthenticator;

/**
 * The AUTH settings of {@code postern serve} ({@link AuthOptions}), and the one {@code onAuth} its
 * handlers share.
 *
 * @param config           what the library offers; {@link AuthConfig#NONE} with {@code --auth off}
 * @param users            the users file's checker, or null with {@code --auth off}
 * @param receivedAuthUser whether the Received field names the authenticated user
 */
record AuthSettings(AuthConfig config, UsersAuthenticator users, boolean receivedAuthUser) {

    /** No AUTH, and Received fields without the user. */
    static final AuthSettings OFF = new AuthSettings(AuthConfig.NONE, null, false);

    private static final SmtpRejection INVALID = SmtpRejection.of(535, "5.7.8", "Authentication credentials invalid");

    /**
     * {@link SmtpHandler#onAuth} for {@code handler}: the users file decides. A refusal is the same 535 for
     * every reason (the client learns nothing about which users exist); its reason goes to the session's log
     * at DEBUG, beside the library's own INFO line, without the password.
     */
    String onAuth(SmtpHandler handler, SmtpSession session, Credentials credentials) {
        if (users == null) {
            throw INVALID;
        }
        UsersAuthenticator.Outcome outcome;
        try {
            outcome = users.authenticate(credentials);
        } catch (InterruptedException e) {
            // The server is stopping: a 454 (temporary), as for any failure of the check itself.
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking credentials", e);
        }
        if (outcome.accepted()) {
            return outcome.identity();
        }
        handler.onLogEvent(session, LogLevel.DEBUG, "AUTH " + credentials.mechanism().wireName() + " refused: "
                + outcome.refusal(), null);
        throw INVALID;
    }
}
