package dev.postern.auth;

import java.time.Instant;
import java.util.Objects;

/**
 * A completed SMTP AUTH (RFC 4954) of a session, as {@link dev.postern.SmtpSession#authentication()} gives it.
 *
 * @param mechanism        the SASL mechanism the client used
 * @param authenticationId the identity whose credentials were checked: the user name the client sent
 *                         ({@link Credentials#username()})
 * @param authorizationId  the identity the session acts as: what {@link dev.postern.SmtpHandler#onAuth}
 *                         returned, or {@code authenticationId} when it returned null; the same as
 *                         {@link dev.postern.SmtpSession#authenticatedUser()}. (PLAIN's requested
 *                         authorization identity is in the {@link Credentials.Password} given to
 *                         {@code onAuth}, which decides whether to grant it.)
 * @param at               when the server accepted the credentials, from the server's clock
 */
public record Authentication(AuthMechanism mechanism, String authenticationId, String authorizationId, Instant at) {

    /**
     * Validates the record.
     *
     * @throws NullPointerException if any component is null
     */
    public Authentication {
        Objects.requireNonNull(mechanism, "mechanism");
        Objects.requireNonNull(authenticationId, "authenticationId");
        Objects.requireNonNull(authorizationId, "authorizationId");
        Objects.requireNonNull(at, "at");
    }
}
