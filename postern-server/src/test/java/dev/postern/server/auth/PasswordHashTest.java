package dev.postern.server.auth;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PasswordHashTest {

    /**
     * An Argon2id PHC string for {@code password}, made with Bouncy Castle as the reference implementation
     * and libsodium make it: {@code $argon2id$v=19$m=...,t=...,p=...$SALT$HASH}, base64 without padding.
     */
    static String argon2id(String password, int memoryKiB, int iterations, int parallelism) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id).withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(memoryKiB).withIterations(iterations).withParallelism(parallelism).withSalt(salt).build());
        byte[] hash = new byte[32];
        generator.generateBytes(password.getBytes(StandardCharsets.UTF_8), hash);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return "$argon2id$v=19$m=" + memoryKiB + ",t=" + iterations + ",p=" + parallelism + "$" + b64.encodeToString(salt)
                + "$" + b64.encodeToString(hash);
    }

    /** Vectors of the reference implementation's own tests (phc-winner-argon2, src/test.c: password "password", salt "somesalt"). */
    @Test
    void argon2idOfTheReferenceImplementationMatches() {
        String m256 = "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4";
        String m65536 = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
        for (String reference : new String[] {m256, m65536}) {
            PasswordHash hash = PasswordHash.parse(reference);
            assertThat(hash.matches("password")).as(reference).isTrue();
            assertThat(hash.matches("passwore")).as(reference).isFalse();
        }
        assertThat(PasswordHash.parse(m65536).cost()).isEqualTo("argon2id m=65536,t=2,p=1,len=32");
    }

    @Test
    void argon2idMadeByBouncyCastleMatchesAndIsNotPrinted() {
        String text = argon2id("correct horse", 4096, 2, 1);
        PasswordHash hash = PasswordHash.parse(text);
        assertThat(hash.matches("correct horse")).isTrue();
        assertThat(hash.matches("correct horsE")).isFalse();
        assertThat(hash.matches("")).isFalse();
        assertThat(hash.toString()).isEqualTo("argon2id m=4096,t=2,p=1,len=32").doesNotContain(text.substring(30));
        assertThat(hash).isEqualTo(PasswordHash.parse(text)).hasSameHashCodeAs(PasswordHash.parse(text));
        assertThat(hash).isNotEqualTo(PasswordHash.parse(argon2id("correct horse", 4096, 2, 1)));
    }

    @Test
    void argon2idWithoutVersionIsVersion16() {
        String v19 = argon2id("pw", 64, 1, 1);
        String noVersion = v19.replace("$v=19", "");
        assertThat(PasswordHash.parse(noVersion)).isInstanceOfSatisfying(PasswordHash.Argon2id.class,
                a -> assertThat(a.version()).isEqualTo(Argon2Parameters.ARGON2_VERSION_10));
        assertThat(PasswordHash.parse(noVersion).matches("pw")).as("v=19 computed, v=16 checked").isFalse();
        assertThat(PasswordHash.parse(v19.replace("$v=19", "$v=16")).matches("pw")).isFalse();
    }

    @Test
    void argon2idParametersAreBounded() {
        String good = argon2id("pw", 64, 1, 1);
        String[] parts = good.split("\\$");
        String salt = parts[4];
        String hash = parts[5];
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("$argon2id$v=19$m=2097152,t=1,p=1$" + salt + "$" + hash, "m=2097152 is outside 8..1048576 KiB");
        cases.put("$argon2id$v=19$m=31,t=1,p=4$" + salt + "$" + hash, "m=31 is outside 32..1048576 KiB");
        cases.put("$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + hash, "t=0 is outside 1..64");
        cases.put("$argon2id$v=19$m=64,t=65,p=1$" + salt + "$" + hash, "t=65 is outside 1..64");
        cases.put("$argon2id$v=19$m=64,t=1,p=0$" + salt + "$" + hash, "p=0 is outside 1..16");
        cases.put("$argon2id$v=19$m=512,t=1,p=17$" + salt + "$" + hash, "p=17 is outside 1..16");
        cases.put("$argon2id$v=18$m=64,t=1,p=1$" + salt + "$" + hash, "version v=18 is unknown");
        cases.put("$argon2id$v=19$m=64,t=1,p=1$c2FsdA$" + hash, "salt of 4 octets is outside 8..256");
        cases.put("$argon2id$v=19$m=64,t=1,p=1$" + salt + "$aGFzaA", "hash of 4 octets is outside 8..256");
        cases.put("$argon2id$v=19$m=64,t=1,p=1$" + "QUFB".repeat(100) + "$" + hash, "salt of 300 octets is outside 8..256");
        cases.put("$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + hash + "AA", "hash is not base64");
        cases.put("$argon2id$v=19$m=64,t=1,p=1$" + salt + "AAA$" + hash, "salt is not base64");
        cases.put("$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + hash.substring(1) + "=", "malformed Argon2id hash");
        cases.put("$argon2id$v=19$t=1,m=64,p=1$" + salt + "$" + hash, "malformed Argon2id hash");
        cases.put("$argon2id$v=19$m=99999999999,t=1,p=1$" + salt + "$" + hash, "malformed Argon2id hash");
        cases.put("$argon2id$v=19$m=9999999999,t=1,p=1$" + salt + "$" + hash, "m=9999999999 is outside");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            assertThatThrownBy(() -> PasswordHash.parse(c.getKey())).as(c.getKey())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(c.getValue());
        }
        assertThat(PasswordHash.parse("$argon2id$v=19$m=32,t=1,p=4$" + salt + "$" + hash)).as("m = 8 p").isNotNull();
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        String octets8 = b64.encodeToString(new byte[8]);
        String octets256 = b64.encodeToString(new byte[256]);
        assertThat(PasswordHash.parse("$argon2id$v=19$m=64,t=1,p=1$" + octets8 + "$" + octets8)).as("8-octet salt and hash")
                .isInstanceOfSatisfying(PasswordHash.Argon2id.class, a -> assertThat(a.hash()).hasSize(8));
        assertThat(PasswordHash.parse("$argon2id$v=19$m=64,t=1,p=1$" + octets256 + "$" + octets256)).as("256-octet salt and hash")
                .isInstanceOfSatisfying(PasswordHash.Argon2id.class, a -> assertThat(a.salt()).hasSize(256));
        assertThatThrownBy(() -> PasswordHash.parse("$argon2id$v=19$m=64,t=1,p=1$" + b64.encodeToString(new byte[257]) + "$" + hash))
                .hasMessageContaining("salt of 257 octets is outside 8..256");
        assertThatThrownBy(() -> PasswordHash.parse("$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + b64.encodeToString(new byte[257])))
                .hasMessageContaining("hash of 257 octets is outside 8..256");
        assertThatThrownBy(() -> PasswordHash.parse("$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + b64.encodeToString(new byte[7])))
                .hasMessageContaining("hash of 7 octets is outside 8..256");
        assertThat(PasswordHash.parse("$argon2id$v=19$m=1048576,t=64,p=16$" + salt + "$" + hash)).as("the bounds").isNotNull();
    }

    @Test
    void bcryptCostsAreBoundedAsHtpasswdBoundsThem() {
        String hash = UsersFileTest.ALICE_BCRYPT;
        assertThat(PasswordHash.parse(hash.replace("$05$", "$04$"))).isInstanceOfSatisfying(PasswordHash.Bcrypt.class,
                b -> assertThat(b.costFactor()).isEqualTo(4));
        assertThat(PasswordHash.parse(hash.replace("$05$", "$17$")).cost()).isEqualTo("bcrypt cost 17");
        assertThat(PasswordHash.parse(hash).toString()).isEqualTo("bcrypt cost 5");
        assertThatThrownBy(() -> PasswordHash.parse(hash + "x")).hasMessageContaining("malformed bcrypt hash");
        assertThatThrownBy(() -> PasswordHash.parse(hash.replace('.', '!'))).hasMessageContaining("malformed bcrypt hash");
    }

    @Test
    void bcryptUsesTheFirst72OctetsAsHtpasswdDoes() {
        String long80 = "x".repeat(80);
        PasswordHash hash = PasswordHash.parse(UsersFileTest.bcrypt(long80, 4));
        assertThat(hash.matches(long80)).isTrue();
        assertThat(hash.matches("x".repeat(72))).isTrue();
        assertThat(hash.matches("x".repeat(71))).isFalse();
    }

    @Test
    void dummiesCostTheSameAndMatchNothingKnown() {
        SecureRandom random = new SecureRandom();
        PasswordHash bcrypt = PasswordHash.parse(UsersFileTest.bcrypt("pw", 6));
        PasswordHash bcryptDummy = bcrypt.dummy(random);
        assertThat(bcryptDummy.cost()).isEqualTo("bcrypt cost 6");
        assertThat(bcryptDummy.matches("pw")).isFalse();
        assertThat(bcryptDummy.matches("")).isFalse();
        assertThat(((PasswordHash.Bcrypt) bcryptDummy).text().substring(7, 29)).as("a random salt each time")
                .isNotEqualTo(((PasswordHash.Bcrypt) bcrypt.dummy(random)).text().substring(7, 29));
        PasswordHash argon = PasswordHash.parse(argon2id("pw", 128, 2, 2));
        PasswordHash argonDummy = argon.dummy(random);
        assertThat(argonDummy.cost()).isEqualTo(argon.cost()).isEqualTo("argon2id m=128,t=2,p=2,len=32");
        assertThat(argonDummy).isNotEqualTo(argon);
        assertThat(argonDummy.matches("pw")).isFalse();
        PasswordHash.Argon2id one = (PasswordHash.Argon2id) argonDummy;
        PasswordHash.Argon2id two = (PasswordHash.Argon2id) argon.dummy(random);
        assertThat(one.salt()).as("random salt").isNotEqualTo(two.salt()).isNotEqualTo(new byte[16]);
        assertThat(one.hash()).as("random hash").isNotEqualTo(two.hash()).isNotEqualTo(new byte[32]);
        assertThat(one.hashCode()).isNotEqualTo(two.hashCode());
        PasswordHash plain = new PasswordHash.Plain("pw");
        assertThat(plain.dummy(random)).isInstanceOf(PasswordHash.Plain.class).isNotEqualTo(plain).isNotEqualTo(plain.dummy(random));
    }

    @Test
    void plainComparesExactlyAndHidesItself() {
        PasswordHash plain = PasswordHash.parse("{plain}s3cret");
        assertThat(plain.matches("s3cret")).isTrue();
        assertThat(plain.matches("s3cre")).isFalse();
        assertThat(plain.matches("S3cret")).isFalse();
        assertThat(plain.cost()).isEqualTo("{plain}");
        assertThat(plain.toString()).isEqualTo("{plain} (hidden)");
    }
}
