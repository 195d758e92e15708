package dev.postern.server.auth;

import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UsersFileTest {

    /** What {@code htpasswd -nbB alice 'correct horse'} printed (cost 5). */
    static final String ALICE_BCRYPT = "$2y$05$zX.GRVJfp14v6BlAaRgq6ukk.C4WqjzZ9fsv27ynGukBGTszDyObC";

    @TempDir
    Path dir;

    static UsersFile parse(String text) throws IOException, UsersFileException {
        return UsersFile.parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "users");
    }

    static String bcrypt(String password, int cost) {
        return OpenBSDBCrypt.generate("2y", password.toCharArray(), new byte[16], cost);
    }

    @Test
    void readsUsersSkippingCommentsBlankLinesAndWhiteSpaceWithLfOrCrlf() throws Exception {
        UsersFile users = parse("# submission users\r\n\r\n  alice:" + ALICE_BCRYPT + "  \r\n"
                + "   # indented comment\n\tbob@example.org:{plain}s3cret\nlast user:" + bcrypt("x", 4));
        assertThat(users.size()).isEqualTo(3);
        assertThat(users.lookup("alice")).get().isInstanceOf(PasswordHash.Bcrypt.class);
        assertThat(users.lookup("alice").get().matches("correct horse")).isTrue();
        assertThat(users.lookup("bob@example.org")).get().isEqualTo(new PasswordHash.Plain("s3cret"));
        assertThat(users.lookup("last user")).as("a space inside a name, and no line end at the end").isPresent();
        assertThat(users.lookup("Alice")).as("names are compared exactly, as Apache does").isEmpty();
        assertThat(users.plainUsers()).containsExactly("bob@example.org");
        assertThat(users.warnings()).as("bcrypt 5 and 4 differ").singleElement().asString()
                .contains("mixes hash costs (bcrypt cost 5, bcrypt cost 4)");
    }

    @Test
    void anEmptyFileHasNoUsers() throws Exception {
        assertThat(parse("").size()).isZero();
        assertThat(parse("# nobody yet\n").size()).isZero();
    }

    @Test
    void readsAFileFromDisk() throws Exception {
        Path file = Files.writeString(dir.resolve("users"), "alice:" + ALICE_BCRYPT + "\n");
        assertThat(UsersFile.read(file).lookup("alice")).isPresent();
        assertThatThrownBy(() -> UsersFile.read(dir.resolve("missing")))
                .isInstanceOf(UsersFileException.class).hasMessageStartingWith("cannot read users file " + dir.resolve("missing"))
                .hasMessageContaining("NoSuchFileException");
    }

    @Test
    void everyBadLineIsRefusedByNumberWithoutQuotingIt() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("hunter2", "line 1: expected user:hash (no colon)");
        cases.put("# ok\n:" + ALICE_BCRYPT, "line 2: empty user name");
        cases.put("ali\u0007ce:" + ALICE_BCRYPT, "line 1: control character in the user name");
        cases.put("ali\u0085ce:" + ALICE_BCRYPT, "line 1: control character in the user name");
        cases.put("a".repeat(256) + ":" + ALICE_BCRYPT, "line 1: user name longer than 255 octets");
        cases.put("é".repeat(128) + ":" + ALICE_BCRYPT, "line 1: user name longer than 255 octets");
        cases.put("ali\u001fce:" + ALICE_BCRYPT, "line 1: control character in the user name");
        cases.put("ali\u007fce:" + ALICE_BCRYPT, "line 1: control character in the user name");
        cases.put("ali\u0080ce:" + ALICE_BCRYPT, "line 1: control character in the user name");
        cases.put("ali\u009fce:" + ALICE_BCRYPT, "line 1: control character in the user name");
        cases.put("a:{plain}x\n\u0000b:{plain}y", "line 2: control character in the user name");
        cases.put("alice:", "user alice: no password hash after the colon");
        cases.put("alice:hunter2", "user alice: the password is an unknown or clear-text form");
        cases.put("alice:$apr1$hunter2$abc", "Apache MD5 ($apr1$, htpasswd -m)");
        cases.put("alice:{SHA}hunter2", "SHA-1 ({SHA}, htpasswd -s)");
        cases.put("alice:$6$hunter2$abc", "crypt(3) MD5/SHA-2 ($6$)");
        cases.put("alice:$argon2i$v=19$m=16,t=2,p=1$hunter2$abc", "only Argon2id is accepted");
        cases.put("alice:$2x$05$hunter2", "an old bcrypt variant");
        cases.put("alice:{plain}", "user alice: empty {plain} password");
        cases.put("alice:$2y$05$hunter2", "malformed bcrypt hash");
        cases.put("alice:" + ALICE_BCRYPT.replace("$05$", "$03$"), "bcrypt cost 3 is outside 4..17");
        cases.put("alice:" + ALICE_BCRYPT.replace("$05$", "$18$"), "bcrypt cost 18 is outside 4..17");
        cases.put("alice:" + ALICE_BCRYPT + "\nbob:x\nalice:" + ALICE_BCRYPT, "line 2: user bob");
        cases.put("alice:" + ALICE_BCRYPT + "\n\nalice:{plain}hunter2",
                "line 3: user alice is listed again (first on line 1)");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            assertThatThrownBy(() -> parse(c.getKey())).as(c.getKey())
                    .isInstanceOf(UsersFileException.class)
                    .hasMessageStartingWith("users line ")
                    .hasMessageContaining(c.getValue())
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2").doesNotContain(ALICE_BCRYPT));
        }
    }

    @Test
    void bcryptOfEachVersionHtpasswdAndOthersWrite() throws Exception {
        String hash = bcrypt("pw", 4);
        for (String version : new String[] {"2y", "2b", "2a"}) {
            UsersFile users = parse("u:$" + version + hash.substring(3));
            assertThat(users.lookup("u").get().matches("pw")).as(version).isTrue();
            assertThat(users.lookup("u").get().matches("pW")).as(version).isFalse();
        }
    }

    @Test
    void aLongLineIsRefusedWithoutReadingItAll() {
        CountingStream endless = new CountingStream(100L << 20);
        assertThatThrownBy(() -> UsersFile.parse(endless, "users"))
                .isInstanceOf(UsersFileException.class)
                .hasMessage("users line 1: longer than 1024 octets");
        assertThat(endless.read).isEqualTo(UsersFile.MAX_LINE_OCTETS + 1);
    }

    @Test
    void aLineOfExactlyTheLimitIsRead() throws Exception {
        String user = "u".repeat(UsersFile.MAX_LINE_OCTETS - 1 - ALICE_BCRYPT.length() - 1);
        String line = user + ":" + ALICE_BCRYPT + " ";
        assertThat(line.length()).isEqualTo(UsersFile.MAX_LINE_OCTETS);
        assertThatThrownBy(() -> parse(line + "\n")).as("read whole, then refused for the name")
                .hasMessageContaining("user name longer than 255 octets");
        assertThatThrownBy(() -> parse(line + "x\n")).hasMessage("users line 1: longer than 1024 octets");
        assertThatThrownBy(() -> parse(line + "\r\n")).as("the CR counts").hasMessage("users line 1: longer than 1024 octets");
    }

    @Test
    void aHugeFileIsRefusedAtTheBound() {
        // Short comment lines, so that only the file bound can stop it.
        InputStream lines = new InputStream() {
            long n;

            @Override
            public int read() {
                return n++ % 64 == 63 ? '\n' : '#';
            }
        };
        assertThatThrownBy(() -> UsersFile.parse(lines, "users"))
                .isInstanceOf(UsersFileException.class)
                .hasMessage("users is larger than " + UsersFile.MAX_FILE_OCTETS + " octets");
    }

    @Test
    void bytesThatAreNotUtf8AreRefused() {
        byte[] text = "alice:{plain}x\nb\u00e9:{plain}y\n".getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> UsersFile.parse(new ByteArrayInputStream(text), "users"))
                .hasMessage("users line 2: not UTF-8");
    }

    @Test
    void utf8UserNamesAreRead() throws Exception {
        assertThat(parse("bé@exämple.org:{plain}x\n").lookup("bé@exämple.org")).isPresent();
        assertThat(parse("a\u00a0b ~:{plain}x\n").lookup("a\u00a0b ~")).as("no-break space, tilde").isPresent();
        assertThat(parse("a".repeat(255) + ":{plain}x").lookup("a".repeat(255))).as("255 octets").isPresent();
        assertThat(parse("é".repeat(127) + "a:{plain}x").size()).as("255 octets of UTF-8").isEqualTo(1);
    }

    @Test
    void aFileOfExactlyTheBoundIsRead() throws Exception {
        InputStream lines = new InputStream() {
            long n;

            @Override
            public int read() {
                if (n >= UsersFile.MAX_FILE_OCTETS) {
                    return -1;
                }
                return n++ % 64 == 63 ? '\n' : '#';
            }
        };
        assertThat(UsersFile.parse(lines, "users").size()).isZero();
    }

    @Test
    void theDummyCostsWhatMostUsersCost() throws Exception {
        UsersFile users = parse("a:" + bcrypt("1", 4) + "\nb:" + bcrypt("2", 6) + "\nc:" + bcrypt("3", 6) + "\nd:{plain}x\n");
        assertThat(users.dummy().cost()).isEqualTo("bcrypt cost 6");
        assertThat(users.dummy().matches("1")).isFalse();
        assertThat(parse("d:{plain}x").dummy().cost()).as("no hash to copy: htpasswd -B's default").isEqualTo("bcrypt cost 5");
        assertThat(parse("a:" + bcrypt("1", 4)).warnings()).isEmpty();
        assertThat(parse("a:" + bcrypt("1", 4) + "\nb:" + bcrypt("2", 4) + "\nc:" + bcrypt("3", 6)).dummy().cost())
                .isEqualTo("bcrypt cost 4");
    }

    /** An endless stream of 'x' that counts what was read. */
    private static final class CountingStream extends InputStream {
        private final long length;
        long read;

        CountingStream(long length) {
            this.length = length;
        }

        @Override
        public int read() {
            return read++ < length ? 'x' : -1;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"alice:{PLAIN}s3cret", "alice:{Plain}s3cret"})
    void thePlainPrefixIgnoresCase(String line) throws Exception {
        assertThat(parse(line).lookup("alice")).get().isEqualTo(new PasswordHash.Plain("s3cret"));
    }
}
