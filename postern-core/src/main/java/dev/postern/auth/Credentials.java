package dev.postern.auth;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Objects;

/**
 * What a client presented with AUTH, for {@link dev.postern.SmtpHandler#onAuth} to check. Never logged
 * by the server; {@code toString()} hides secrets.
 */
public sealed interface Credentials permits Credentials.Password, Credentials.CramMd5, Credentials.BearerToken {

    AuthMechanism mechanism();

    /** The identity whose credentials these are (the authentication id). */
    String username();

    /**
     * PLAIN or LOGIN: a user name and password in clear (inside TLS, unless plaintext AUTH is allowed).
     *
     * @param authorizationId PLAIN's optional identity to act as (RFC 4616), or null when not given
     */
    record Password(AuthMechanism mechanism, String authorizationId, String username, String password) implements Credentials {
        public Password {
            Objects.requireNonNull(mechanism, "mechanism");
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(password, "password");
        }

        @Override
        public String toString() {
            return mechanism.wireName() + " credentials for " + username + (authorizationId == null ? "" : " as " + authorizationId);
        }
    }

    /**
     * CRAM-MD5 (RFC 2195): the client proved it knows the password by an HMAC-MD5 of the server's
     * challenge. The server checks with {@link #verify} and the password it has on file.
     */
    record CramMd5(String username, String challenge, String digest) implements Credentials {
        public CramMd5 {
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(challenge, "challenge");
            Objects.requireNonNull(digest, "digest");
        }

        @Override
        public AuthMechanism mechanism() {
            return AuthMechanism.CRAM_MD5;
        }

        /** Whether the client's digest is the HMAC-MD5 of the challenge keyed with {@code password} (constant time). */
        public boolean verify(String password) {
            try {
                Mac mac = Mac.getInstance("HmacMD5");
                mac.init(new SecretKeySpec(password.getBytes(StandardCharsets.UTF_8), "HmacMD5"));
                byte[] expected = HexFormat.of().formatHex(mac.doFinal(challenge.getBytes(StandardCharsets.UTF_8)))
                        .getBytes(StandardCharsets.US_ASCII);
                return MessageDigest.isEqual(expected, digest.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacMD5 is not available", e);
            }
        }

        @Override
        public String toString() {
            return "CRAM-MD5 credentials for " + username;
        }
    }

    /** XOAUTH2: a user name and an OAuth 2.0 bearer token, to be checked with the token's issuer. */
    record BearerToken(AuthMechanism mechanism, String username, String token) implements Credentials {
        public BearerToken {
            Objects.requireNonNull(mechanism, "mechanism");
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(token, "token");
        }

        @Override
        public String toString() {
            return mechanism.wireName() + " token for " + username;
        }
    }
}
