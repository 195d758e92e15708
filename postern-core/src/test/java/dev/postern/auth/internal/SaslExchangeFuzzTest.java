package dev.postern.auth.internal;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.postern.auth.AuthMechanism;
import dev.postern.auth.Credentials;
import dev.postern.auth.internal.SaslExchange.Step;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.random.RandomGenerator;

import static dev.postern.testing.FuzzChecks.check;
import static dev.postern.testing.FuzzChecks.show;

/**
 * Fuzzes the SASL exchanges of AUTH (PLAIN, LOGIN, CRAM-MD5, XOAUTH2). The input is the client's lines,
 * one per LF; the first is the initial response, or none when it is "-".
 *
 * <p>Invariants: every step is a challenge, credentials, a cancel or a refusal, never an exception; an
 * exchange ends within its mechanism's number of rounds; the credentials handed to the hook are complete
 * (a user name, a secret) and their text form never shows the secret, so that no log line can.
 */
class SaslExchangeFuzzTest {

    private static final InstantSource CLOCK = InstantSource.fixed(Instant.ofEpochMilli(1_700_000_000_000L));

    @FuzzTest(maxDuration = "5m")
    void exchange(byte[] input) {
        String[] lines = new String(input, StandardCharsets.UTF_8).split("\n", -1);
        for (AuthMechanism mechanism : AuthMechanism.values()) {
            SaslExchange x = SaslExchange.start(mechanism, "mx.test", RandomGenerator.of("L64X128MixRandom"), CLOCK);
            Step step = x.begin(lines[0].equals("-") ? null : lines[0]);
            int rounds = 0;
            for (int i = 1; step instanceof Step.Challenge c && i < lines.length; i++) {
                check(c.text().chars().allMatch(ch -> ch >= 0x20 && ch < 0x7f), "challenge with a control character");
                rounds++;
                step = x.next(lines[i]);
            }
            int maxRounds = mechanism == AuthMechanism.LOGIN ? 2 : 1;
            check(rounds <= maxRounds, mechanism + " took " + rounds + " rounds");
            switch (step) {
                case Step.Done d -> credentials(mechanism, d.credentials(), input);
                case Step.Malformed m -> check(m.reason() != null && !m.reason().isEmpty(), "refusal without a reason");
                case Step.Challenge c -> { }
                case Step.Cancelled c -> { }
            }
        }
    }

    private static void credentials(AuthMechanism mechanism, Credentials credentials, byte[] input) {
        check(credentials.mechanism() == mechanism, "credentials of " + credentials.mechanism() + " from " + mechanism);
        switch (credentials) {
            case Credentials.Password p -> {
                check(!p.username().isEmpty(), "empty user name from " + show(input));
                check(mechanism != AuthMechanism.PLAIN || !p.password().isEmpty(), "empty PLAIN password");
                String other = new Credentials.Password(p.mechanism(), p.authorizationId(), p.username(), p.password() + "x").toString();
                check(other.equals(p.toString()), "the password shows in " + p);
            }
            case Credentials.CramMd5 c -> {
                check(!c.username().isEmpty() && c.digest().length() == 32, "incomplete CRAM-MD5 credentials " + c);
                check(!c.verify("a password") || c.digest().equals(CramMd5Check.digest(c.challenge(), "a password")), "verify accepts a wrong digest");
            }
            case Credentials.BearerToken t -> {
                check(!t.username().isEmpty() && !t.token().isEmpty(), "incomplete XOAUTH2 credentials");
                String other = new Credentials.BearerToken(t.mechanism(), t.username(), t.token() + "x").toString();
                check(other.equals(t.toString()), "the token shows in " + t);
            }
        }
    }

    /** The RFC 2195 digest, computed here independently of the code under test. */
    static final class CramMd5Check {
        static String digest(String challenge, String password) {
            try {
                javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacMD5");
                mac.init(new javax.crypto.spec.SecretKeySpec(password.getBytes(StandardCharsets.UTF_8), "HmacMD5"));
                return java.util.HexFormat.of().formatHex(mac.doFinal(challenge.getBytes(StandardCharsets.UTF_8)));
            } catch (java.security.GeneralSecurityException e) {
                throw new AssertionError(e);
            }
        }
    }
}
