package dev.postern.auth.internal;

import dev.postern.auth.AuthMechanism;
import dev.postern.auth.Credentials;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.Base64;
import java.util.random.RandomGenerator;

/**
 * One SASL exchange of an AUTH command (RFC 4954), sans-I/O: given the client's lines (base64, as
 * sent), it says what to answer next, a challenge or the credentials to check. No SASL library is
 * used: the JDK's {@code javax.security.sasl} server side wants a callback handler that already
 * knows the password, which does not fit a hook that checks credentials its own way (a database,
 * LDAP, a token endpoint), and the four mechanisms here are a few lines each.
 */
public final class SaslExchange {

    /** What the server does next. */
    public sealed interface Step {
        /** Send {@code 334} with {@code text} in base64 and read the client's next line. */
        record Challenge(String text) implements Step {
        }

        /** The exchange is complete: check these credentials. */
        record Done(Credentials credentials) implements Step {
        }

        /** The client sent {@code *}: the exchange is cancelled (RFC 4954 4: 501). */
        record Cancelled() implements Step {
        }

        /** The client's message is malformed (RFC 4954 4: 501 5.5.2). */
        record Malformed(String reason) implements Step {
        }
    }

    private static final Step CANCELLED = new Step.Cancelled();

    private final AuthMechanism mechanism;
    private final String challenge; // CRAM-MD5's
    private String loginUser; // LOGIN's user name, once given

    private SaslExchange(AuthMechanism mechanism, String challenge) {
        this.mechanism = mechanism;
        this.challenge = challenge;
    }

    /** A new exchange; {@code hostname}, {@code random} and {@code clock} make CRAM-MD5's unique challenge. */
    public static SaslExchange start(AuthMechanism mechanism, String hostname, RandomGenerator random, InstantSource clock) {
        String challenge = mechanism == AuthMechanism.CRAM_MD5
                ? "<" + Long.toUnsignedString(random.nextLong()) + "." + clock.millis() + "@" + hostname + ">" : null;
        return new SaslExchange(mechanism, challenge);
    }

    public AuthMechanism mechanism() {
        return mechanism;
    }

    /**
     * The AUTH command itself, with its initial response ({@code null} when none was given; {@code "="}
     * is an empty one, RFC 4954 4).
     */
    public Step begin(String initialResponse) {
        if (initialResponse == null) {
            return switch (mechanism) {
                case PLAIN, XOAUTH2 -> new Step.Challenge("");
                case LOGIN -> new Step.Challenge("Username:");
                case CRAM_MD5 -> new Step.Challenge(challenge);
            };
        }
        if (mechanism == AuthMechanism.CRAM_MD5) {
            return new Step.Malformed("CRAM-MD5 takes no initial response");
        }
        return next(initialResponse);
    }

    /** The client's answer to the last challenge. */
    public Step next(String line) {
        String text = line.strip();
        if (text.equals("*")) {
            return CANCELLED;
        }
        String message;
        try {
            message = text.equals("=") ? "" : utf8(Base64.getDecoder().decode(text));
        } catch (IllegalArgumentException | CharacterCodingException e) {
            return new Step.Malformed("not valid base64 of UTF-8 text");
        }
        return switch (mechanism) {
            case PLAIN -> plain(message);
            case LOGIN -> login(message);
            case CRAM_MD5 -> cramMd5(message);
            case XOAUTH2 -> xoauth2(message);
        };
    }

    // RFC 4616 2: [authzid] NUL authcid NUL passwd
    private Step plain(String message) {
        String[] parts = message.split("\0", -1);
        if (parts.length != 3 || parts[1].isEmpty() || parts[2].isEmpty()) {
            return new Step.Malformed("PLAIN message is not [authzid] NUL user NUL password");
        }
        return new Step.Done(new Credentials.Password(AuthMechanism.PLAIN, parts[0].isEmpty() ? null : parts[0], parts[1], parts[2]));
    }

    private Step login(String message) {
        if (loginUser == null) {
            if (message.isEmpty()) {
                return new Step.Malformed("empty user name");
            }
            loginUser = message;
            return new Step.Challenge("Password:");
        }
        return new Step.Done(new Credentials.Password(AuthMechanism.LOGIN, null, loginUser, message));
    }

    // RFC 2195 2: user SP 32 lower-case hex digits
    private Step cramMd5(String message) {
        int space = message.lastIndexOf(' ');
        String digest = space < 0 ? "" : message.substring(space + 1);
        if (space <= 0 || digest.length() != 32 || !digest.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            return new Step.Malformed("CRAM-MD5 response is not user and hex digest");
        }
        return new Step.Done(new Credentials.CramMd5(message.substring(0, space), challenge, digest));
    }

    // https://developers.google.com/gmail/imap/xoauth2-protocol: user={user}^Aauth=Bearer {token}^A^A
    private Step xoauth2(String message) {
        String user = null;
        String token = null;
        for (String field : message.split("\u0001")) {
            if (field.startsWith("user=")) {
                user = field.substring(5);
            } else if (field.regionMatches(true, 0, "auth=Bearer ", 0, 12)) {
                token = field.substring(12).strip();
            }
        }
        if (user == null || user.isEmpty() || token == null || token.isEmpty()) {
            return new Step.Malformed("XOAUTH2 message lacks user or bearer token");
        }
        return new Step.Done(new Credentials.BearerToken(AuthMechanism.XOAUTH2, user, token));
    }

    private static String utf8(byte[] bytes) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes)).toString();
    }
}
