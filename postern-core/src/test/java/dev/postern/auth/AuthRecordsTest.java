package dev.postern.auth;

import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Credentials never show their secret when printed (they end up in logs); AuthConfig's own checks. */
class AuthRecordsTest {

    @Test
    void credentialsPrintTheUserNeverTheSecret() {
        Credentials plain = new Credentials.Password(AuthMechanism.PLAIN, null, "alice", "s3cret-pw");
        assertThat(plain).hasToString("PLAIN credentials for alice");
        Credentials login = new Credentials.Password(AuthMechanism.LOGIN, "admin", "alice", "s3cret-pw");
        assertThat(login).hasToString("LOGIN credentials for alice as admin");
        Credentials token = new Credentials.BearerToken(AuthMechanism.XOAUTH2, "alice", "ya29.secret-token");
        assertThat(token).hasToString("XOAUTH2 token for alice");
        Credentials cram = new Credentials.CramMd5("alice", "<1.2@mx.test>", "0123456789abcdef0123456789abcdef");
        assertThat(cram).hasToString("CRAM-MD5 credentials for alice");
        assertThat(cram.mechanism()).isEqualTo(AuthMechanism.CRAM_MD5);
        for (Credentials c : List.of(plain, login, token, cram)) {
            assertThat(c.toString()).doesNotContain("s3cret", "secret-token", "0123456789abcdef");
        }
    }

    @Test
    void cramMd5VerifiesTheDigestOfTheChallengeWhateverItsCase() throws Exception {
        String challenge = "<12345.678@mx.test>";
        Mac mac = Mac.getInstance("HmacMD5");
        mac.init(new SecretKeySpec("s3cret".getBytes(StandardCharsets.UTF_8), "HmacMD5"));
        String digest = HexFormat.of().formatHex(mac.doFinal(challenge.getBytes(StandardCharsets.UTF_8)));
        assertThat(new Credentials.CramMd5("alice", challenge, digest).verify("s3cret")).isTrue();
        assertThat(new Credentials.CramMd5("alice", challenge, digest.toUpperCase()).verify("s3cret")).isTrue();
        assertThat(new Credentials.CramMd5("alice", challenge, digest).verify("s3cret!")).isFalse();
        assertThat(new Credentials.CramMd5("alice", "<other@mx.test>", digest).verify("s3cret")).isFalse();
    }

    @Test
    void authConfigChecks() {
        assertThatThrownBy(() -> new AuthConfig(List.of(), true, false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no mechanism");
        assertThatThrownBy(() -> AuthConfig.NONE.andRequired()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AuthConfig.of(AuthMechanism.PLAIN, AuthMechanism.PLAIN)).hasMessageContaining("listed twice: PLAIN");
        AuthConfig c = AuthConfig.of(AuthMechanism.LOGIN, AuthMechanism.PLAIN).andRequired().andAllowPlaintext();
        assertThat(c.mechanisms()).containsExactly(AuthMechanism.LOGIN, AuthMechanism.PLAIN);
        assertThat(c.required()).isTrue();
        assertThat(c.allowPlaintext()).isTrue();
        assertThat(c.enabled()).isTrue();
        assertThat(AuthConfig.NONE.enabled()).isFalse();
        assertThat(new AuthConfig(List.of(), false, true).enabled()).isFalse();
        assertThat(AuthMechanism.byWireName("cram-md5")).contains(AuthMechanism.CRAM_MD5);
        assertThat(AuthMechanism.byWireName("GSSAPI")).isEmpty();
    }
}
