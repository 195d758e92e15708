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

    /**
     * The SASL mechanism the client used.
     *
     * @return the mechanism
     */
    AuthMechanism mechanism();

    /**
     * The identity whose credentials these are (the authentication id).
     *
     * @return the user name as the client sent it, never null or empty
     */
    String username();

    /**
     * PLAIN or LOGIN: a user name and password in clear (inside TLS, unless plaintext AUTH is allowed).
     *
     * @param mechanism       {@link AuthMechanism#PLAIN} or {@link AuthMechanism#LOGIN}
     * @param authorizationId PLAIN's optional identity to act as (RFC 4616), or null when not given
     * @param username        the authentication identity
     * @param password        the password, in clear
     */
    record Password(AuthMechanism mechanism, String authorizationId, String username, String password) implements Credentials {
        /**
         * Checks that the required parts are present.
         *
         * @throws NullPointerException if {@code mechanism}, {@code username} or {@code password} is null
         */
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
     *
     * @param username  the user name the client sent
     * @param challenge the server's challenge, e.g. {@code <1896.697170952@mx.example.org>} (RFC 2195 2)
     * @param digest    the client's HMAC-MD5 of the challenge, 32 hexadecimal digits
     */
    record CramMd5(String username, String challenge, String digest) implements Credentials {
        /**
         * Checks that every part is present.
         *
         * @throws NullPointerException if any part is null
         */
        public CramMd5 {
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(challenge, "challenge");
            Objects.requireNonNull(digest, "digest");
        }

        @Override
        public AuthMechanism mechanism() {
            return AuthMechanism.CRAM_MD5;
        }

        /**
         * Whether the client's digest is the HMAC-MD5 of the challenge keyed with {@code password} (constant time).
         *
         * @param password the user's password, in clear (UTF-8 encoded for the key)
         * @return true if the client knew this password
         * @throws IllegalStateException if the JDK offers no HmacMD5
         */
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

    /**
     * XOAUTH2: a user name and an OAuth 2.0 bearer token, to be checked with the token's issuer.
     *
     * @param mechanism {@link AuthMechanism#XOAUTH2}
     * @param username  the {@code user=} value the client sent
     * @param token     the bearer token, without the {@code Bearer} prefix
     */
    record BearerToken(AuthMechanism mechanism, String username, String token) implements Credentials {
        /**
         * Checks that every part is present.
         *
         * @throws NullPointerException if any part is null
         */
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
