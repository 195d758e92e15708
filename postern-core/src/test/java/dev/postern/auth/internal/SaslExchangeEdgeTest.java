package dev.postern.auth.internal;

import dev.postern.auth.AuthMechanism;
import dev.postern.auth.Credentials;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.random.RandomGenerator;

import static org.assertj.core.api.Assertions.assertThat;

/** CRAM-MD5's and LOGIN's responses at the edges of what they may be. */
class SaslExchangeEdgeTest {

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static SaslExchange.Step cram(String response) {
        SaslExchange x = SaslExchange.start(AuthMechanism.CRAM_MD5, "mx.test", RandomGenerator.of("L64X128MixRandom"), () -> Instant.EPOCH);
        x.begin(null);
        return x.next(b64(response));
    }

    /** RFC 2195: a user name, one space, and exactly 32 hex digits. */
    @Test
    void cramMd5ResponseIsAUserAndThirtyTwoHexDigits() {
        String digest = "0123456789abcdefABCDEF0123456789";
        assertThat(cram("alice " + digest)).isInstanceOfSatisfying(SaslExchange.Step.Done.class,
                d -> assertThat(((Credentials.CramMd5) d.credentials()).username()).isEqualTo("alice"));
        assertThat(cram("a " + digest)).isInstanceOf(SaslExchange.Step.Done.class);
        for (String bad : new String[] {"alice " + digest.substring(1), "alice " + digest + "0", "alice " + "g" + digest.substring(1),
                "alice " + digest.substring(1) + "/", "alice " + digest.substring(1) + ":", "alice " + digest.substring(1) + "@",
                " " + digest, digest, "alice", ""}) {
            assertThat(cram(bad)).as(bad).isInstanceOf(SaslExchange.Step.Malformed.class);
        }
    }

    @Test
    void loginNeedsAUserNameThenTakesAnyPassword() {
        SaslExchange x = SaslExchange.start(AuthMechanism.LOGIN, "mx.test", RandomGenerator.getDefault(), () -> Instant.EPOCH);
        assertThat(x.begin(null)).isEqualTo(new SaslExchange.Step.Challenge("Username:"));
        assertThat(x.next("=")).isInstanceOf(SaslExchange.Step.Malformed.class);
        assertThat(x.next(b64("alice"))).isEqualTo(new SaslExchange.Step.Challenge("Password:"));
        assertThat(x.next("=")).isInstanceOfSatisfying(SaslExchange.Step.Done.class,
                d -> assertThat(d.credentials()).isEqualTo(new Credentials.Password(AuthMechanism.LOGIN, null, "alice", "")));
        SaslExchange initial = SaslExchange.start(AuthMechanism.LOGIN, "mx.test", RandomGenerator.getDefault(), () -> Instant.EPOCH);
        assertThat(initial.begin(b64("bob"))).isEqualTo(new SaslExchange.Step.Challenge("Password:"));
    }
}
