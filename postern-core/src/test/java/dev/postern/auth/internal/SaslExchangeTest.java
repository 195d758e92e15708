package dev.postern.auth.internal;

import dev.postern.auth.AuthMechanism;
import dev.postern.auth.Credentials;
import dev.postern.auth.internal.SaslExchange.Step;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.random.RandomGenerator;

import static org.assertj.core.api.Assertions.assertThat;

class SaslExchangeTest {

    private static final InstantSource CLOCK = InstantSource.fixed(Instant.ofEpochMilli(1_700_000_000_000L));

    private static SaslExchange start(AuthMechanism m) {
        return SaslExchange.start(m, "mx.test", RandomGenerator.of("L64X128MixRandom"), CLOCK);
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void plainWithInitialResponse() {
        Step s = start(AuthMechanism.PLAIN).begin(b64("\0alice\0s3cret"));
        assertThat(s).isEqualTo(new Step.Done(new Credentials.Password(AuthMechanism.PLAIN, null, "alice", "s3cret")));
    }

    @Test
    void plainWithAuthorizationIdAfterAnEmptyChallenge() {
        SaslExchange x = start(AuthMechanism.PLAIN);
        assertThat(x.begin(null)).isEqualTo(new Step.Challenge(""));
        assertThat(x.next(b64("admin\0alice\0pässwörd"))).isEqualTo(
                new Step.Done(new Credentials.Password(AuthMechanism.PLAIN, "admin", "alice", "pässwörd")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"alice\0s3cret", "\0\0s3cret", "\0alice\0", "a\0b\0c\0d", ""})
    void malformedPlainMessages(String message) {
        assertThat(start(AuthMechanism.PLAIN).begin(null)).isInstanceOf(Step.Challenge.class);
        assertThat(start(AuthMechanism.PLAIN).next(message.isEmpty() ? "=" : b64(message))).isInstanceOf(Step.Malformed.class);
    }

    @Test
    void login() {
        SaslExchange x = start(AuthMechanism.LOGIN);
        assertThat(x.begin(null)).isEqualTo(new Step.Challenge("Username:"));
        assertThat(x.next(b64("alice"))).isEqualTo(new Step.Challenge("Password:"));
        assertThat(x.next(b64("s3cret"))).isEqualTo(
                new Step.Done(new Credentials.Password(AuthMechanism.LOGIN, null, "alice", "s3cret")));
    }

    @Test
    void loginWithTheUserNameAsInitialResponse() {
        SaslExchange x = start(AuthMechanism.LOGIN);
        assertThat(x.begin(b64("alice"))).isEqualTo(new Step.Challenge("Password:"));
        assertThat(x.next(b64(""))).isInstanceOf(Step.Done.class); // an empty password is the hook's to refuse
    }

    @Test
    void cramMd5MatchesTheRfc2195Example() {
        // RFC 2195 section 2: challenge, user "tim", password "tanstaaftanstaaf"
        Credentials.CramMd5 c = new Credentials.CramMd5("tim", "<1896.697170952@postoffice.reston.mci.net>",
                "b913a602c7eda7a495b4e6e7334d3890");
        assertThat(c.verify("tanstaaftanstaaf")).isTrue();
        assertThat(c.verify("tanstaaftanstaaF")).isFalse();
    }

    @Test
    void cramMd5ChallengeIsUniqueAndNamesTheServer() {
        SaslExchange x = start(AuthMechanism.CRAM_MD5);
        String challenge = ((Step.Challenge) x.begin(null)).text();
        assertThat(challenge).startsWith("<").endsWith(".1700000000000@mx.test>");
        assertThat(((Step.Challenge) start(AuthMechanism.CRAM_MD5).begin(null)).text()).isNotEqualTo(challenge);
        Step done = x.next(b64("tim 0123456789abcdef0123456789abcdef"));
        assertThat(done).isEqualTo(new Step.Done(new Credentials.CramMd5("tim", challenge, "0123456789abcdef0123456789abcdef")));
        assertThat(start(AuthMechanism.CRAM_MD5).begin(b64("tim x"))).isInstanceOf(Step.Malformed.class);
        assertThat(x.next(b64("tim nothex"))).isInstanceOf(Step.Malformed.class);
    }

    @Test
    void xoauth2() {
        Step s = start(AuthMechanism.XOAUTH2).begin(b64("user=alice@example.org\u0001auth=Bearer ya29.token\u0001\u0001"));
        assertThat(s).isEqualTo(new Step.Done(new Credentials.BearerToken(AuthMechanism.XOAUTH2, "alice@example.org", "ya29.token")));
        assertThat(start(AuthMechanism.XOAUTH2).begin(b64("user=alice\u0001\u0001"))).isInstanceOf(Step.Malformed.class);
    }

    @Test
    void cancelAndGarbage() {
        assertThat(start(AuthMechanism.LOGIN).next("*")).isInstanceOf(Step.Cancelled.class);
        assertThat(start(AuthMechanism.PLAIN).next("not base64!")).isInstanceOf(Step.Malformed.class);
        assertThat(start(AuthMechanism.PLAIN).next(Base64.getEncoder().encodeToString(new byte[] {0, (byte) 0xff, 0, 'x'})))
                .as("not UTF-8").isInstanceOf(Step.Malformed.class);
    }

    @Test
    void secretsStayOutOfToString() {
        assertThat(new Credentials.Password(AuthMechanism.PLAIN, null, "alice", "s3cret").toString()).doesNotContain("s3cret");
        assertThat(new Credentials.BearerToken(AuthMechanism.XOAUTH2, "alice", "ya29.token").toString()).doesNotContain("ya29");
    }
}
