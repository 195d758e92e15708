package dev.postern.server.auth;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.postern.auth.AuthMechanism;
import dev.postern.auth.Credentials;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.BiPredicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UsersAuthenticatorTest {

    private static final String CHALLENGE = "<1896.697170952@mx.test>";

    @TempDir
    Path dir;

    private Path file;
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(UsersAuthenticator.class);
    /** The hashes verified, by cost, in order. */
    private final List<String> verified = new ArrayList<>();
    private final BiPredicate<PasswordHash, String> recording = (hash, password) -> {
        synchronized (verified) {
            verified.add(hash.cost());
        }
        return hash.matches(password);
    };

    private String argon;

    @BeforeEach
    void setUp() throws IOException {
        log.start();
        logger.addAppender(log);
        file = dir.resolve("users");
        argon = PasswordHashTest.argon2id("argon pw", 256, 1, 1);
        write("# users\nalice:" + UsersFileTest.ALICE_BCRYPT + "\ncarol:" + argon + "\nbob:{plain}b0b's pw\n");
    }

    @AfterEach
    void tearDown() {
        logger.detachAppender(log);
    }

    /** Writes the users file, private, with a modification time unlike any before (the clock's tick may be coarse). */
    private void write(String text) throws IOException {
        FileTime previous = Files.exists(file) ? Files.getLastModifiedTime(file) : FileTime.fromMillis(0);
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        Files.setLastModifiedTime(file, FileTime.from(previous.toInstant().plusSeconds(1).isAfter(Instant.now())
                ? previous.toInstant().plusSeconds(1) : Instant.now()));
    }

    private UsersAuthenticator open() throws UsersFileException {
        return UsersAuthenticator.open(file, recording);
    }

    private static Credentials plain(String user, String password) {
        return new Credentials.Password(AuthMechanism.PLAIN, null, user, password);
    }

    private static Credentials cram(String user, String password) throws Exception {
        Mac mac = Mac.getInstance("HmacMD5");
        mac.init(new SecretKeySpec(password.getBytes(StandardCharsets.UTF_8), "HmacMD5"));
        return new Credentials.CramMd5(user, CHALLENGE, HexFormat.of().formatHex(mac.doFinal(CHALLENGE.getBytes(StandardCharsets.US_ASCII))));
    }

    private List<String> logLines() {
        return log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void bcryptAndArgon2idUsersAuthenticateWithPlainAndLogin() throws Exception {
        UsersAuthenticator auth = open();
        assertThat(auth.authenticate(plain("alice", "correct horse"))).isEqualTo(new UsersAuthenticator.Outcome("alice", null));
        assertThat(auth.authenticate(new Credentials.Password(AuthMechanism.LOGIN, null, "carol", "argon pw")).identity())
                .isEqualTo("carol");
        assertThat(auth.authenticate(new Credentials.Password(AuthMechanism.PLAIN, "alice", "alice", "correct horse")).identity())
                .as("acting as oneself").isEqualTo("alice");
        assertThat(auth.authenticate(new Credentials.Password(AuthMechanism.PLAIN, "", "alice", "correct horse")).identity())
                .isEqualTo("alice");
        assertThat(verified).containsExactly("bcrypt cost 5", "argon2id m=256,t=1,p=1,len=32", "bcrypt cost 5", "bcrypt cost 5");
    }

    @Test
    void everyRefusalVerifiesAHashOfTheSameCost() throws Exception {
        write("alice:" + UsersFileTest.ALICE_BCRYPT + "\nbob:{plain}b0b's pw\ndave:" + UsersFileTest.bcrypt("d", 5) + "\n");
        UsersAuthenticator auth = open();
        assertThat(auth.authenticate(plain("alice", "wrong")).refusal()).isEqualTo("wrong password");
        assertThat(auth.authenticate(plain("mallory", "correct horse")).refusal()).isEqualTo("no such user in the users file");
        assertThat(auth.authenticate(plain("Alice", "correct horse")).refusal()).isEqualTo("no such user in the users file");
        assertThat(auth.authenticate(plain("bob", "b0b's pw")).refusal())
                .isEqualTo("the user's password is {plain}, accepted with CRAM-MD5 only");
        assertThat(verified).as("a wrong password, two unknown users, a {plain} user: one bcrypt of cost 5 each")
                .containsExactly("bcrypt cost 5", "bcrypt cost 5", "bcrypt cost 5", "bcrypt cost 5");
    }

    @Test
    void theIdentityToActAsMustBeTheUser() throws Exception {
        UsersAuthenticator.Outcome outcome = open().authenticate(
                new Credentials.Password(AuthMechanism.PLAIN, "carol", "alice", "correct horse"));
        assertThat(outcome.accepted()).isFalse();
        assertThat(outcome.refusal()).isEqualTo("asked to act as another identity, which the users file grants no one");
    }

    @Test
    void cramMd5WorksForPlainUsersOnly() throws Exception {
        UsersAuthenticator auth = open();
        assertThat(auth.authenticate(cram("bob", "b0b's pw")).identity()).isEqualTo("bob");
        assertThat(auth.authenticate(cram("bob", "b0b's pW")).refusal()).isEqualTo("wrong password");
        assertThat(auth.authenticate(cram("alice", "correct horse")).refusal())
                .isEqualTo("CRAM-MD5 needs a {plain} password and the user's is hashed");
        assertThat(auth.authenticate(cram("nobody", "b0b's pw")).refusal()).isEqualTo("no such user in the users file");
        assertThat(verified).as("CRAM-MD5 is an HMAC, never a hash").isEmpty();
    }

    @Test
    void xoauth2IsNeverAccepted() throws Exception {
        assertThat(open().authenticate(new Credentials.BearerToken(AuthMechanism.XOAUTH2, "alice", "correct horse")).accepted())
                .isFalse();
    }

    @Test
    void aValidChangeIsPickedUpAtTheNextAuth() throws Exception {
        UsersAuthenticator auth = open();
        assertThat(auth.authenticate(plain("alice", "correct horse")).accepted()).isTrue();
        write("alice:" + UsersFileTest.bcrypt("new pw", 4) + "\nerin:" + UsersFileTest.bcrypt("erin pw", 4) + "\n");
        assertThat(auth.authenticate(plain("alice", "correct horse")).accepted()).isFalse();
        assertThat(auth.authenticate(plain("alice", "new pw")).accepted()).isTrue();
        assertThat(auth.authenticate(plain("erin", "erin pw")).accepted()).isTrue();
        assertThat(auth.users().size()).isEqualTo(2);
        assertThat(logLines()).containsExactly("users file " + file + " reloaded: 2 user(s)");
    }

    @Test
    void aBrokenChangeKeepsTheOldUsersAndIsLoggedOnce() throws Exception {
        UsersAuthenticator auth = open();
        write("alice:" + UsersFileTest.bcrypt("new pw", 4) + "\nerin hunter2\n");
        for (int i = 0; i < 3; i++) {
            assertThat(auth.authenticate(plain("alice", "correct horse")).accepted()).isTrue();
        }
        assertThat(auth.authenticate(plain("alice", "new pw")).accepted()).isFalse();
        assertThat(logLines()).containsExactly(file + " line 2: expected user:hash (no colon); keeping the 3 user(s) read before");
        write("alice:" + UsersFileTest.bcrypt("new pw", 4) + "\n");
        assertThat(auth.authenticate(plain("alice", "new pw")).accepted()).as("fixed").isTrue();
        assertThat(logLines()).hasSize(2).last().isEqualTo("users file " + file + " reloaded: 1 user(s)");
        assertThat(String.join("\n", logLines())).doesNotContain("hunter2").doesNotContain("new pw");
    }

    @Test
    void aFileThatGoesAwayOrOpensUpKeepsTheOldUsers() throws Exception {
        UsersAuthenticator auth = open();
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(auth.authenticate(plain("alice", "correct horse")).accepted()).isTrue();
        assertThat(auth.authenticate(plain("alice", "correct horse")).accepted()).isTrue();
        assertThat(logLines()).singleElement().asString().startsWith("users file " + file + " is rw-r--r--: its group and "
                + "other users may read or change the password hashes").endsWith("keeping the 3 user(s) read before");
        Files.delete(file);
        assertThat(auth.authenticate(plain("alice", "correct horse")).accepted()).isTrue();
        assertThat(auth.authenticate(plain("alice", "correct horse")).accepted()).isTrue();
        assertThat(logLines()).hasSize(2).last()
                .isEqualTo("users file " + file + " is missing or not a regular file; keeping the 3 user(s) read before");
    }

    @Test
    void aFileOthersCanReadOrWriteIsRefusedAtStart() throws Exception {
        java.util.Map<String, String> who = new java.util.LinkedHashMap<>();
        who.put("rw-r-----", "its group may");
        who.put("rw--w----", "its group may");
        who.put("rw----r--", "other users may");
        who.put("rw-----w-", "other users may");
        who.put("rw-rw-rw-", "its group and other users may");
        for (var c : who.entrySet()) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(c.getKey()));
            assertThatThrownBy(this::open).as(c.getKey()).isInstanceOf(UsersFileException.class)
                    .hasMessageStartingWith("users file " + file + " is " + c.getKey() + ": " + c.getValue() + " read or change")
                    .hasMessageEndingWith("make it readable by this server's user only (chmod 600 " + file + ")");
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--------"));
        assertThat(open().users().size()).isEqualTo(3);
        assertThat(FilePermissions.check(file)).isInstanceOf(FilePermissions.Private.class);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx--x--x"));
        assertThat(open().users().size()).as("execute bits give nothing away").isEqualTo(3);
    }

    @Test
    void aMissingOrBadFileIsRefusedAtStart() throws Exception {
        assertThatThrownBy(() -> UsersAuthenticator.open(dir.resolve("none")))
                .hasMessage("users file " + dir.resolve("none") + " is missing or not a regular file");
        assertThatThrownBy(() -> UsersAuthenticator.open(dir)).hasMessage("users file " + dir + " is missing or not a regular file");
        write("alice:$apr1$x$y\n");
        assertThatThrownBy(this::open).hasMessageStartingWith(file + " line 1: user alice: the password is Apache MD5");
    }

    @Test
    void startWarningsSayWhatTheOperatorShouldKnow() throws Exception {
        UsersAuthenticator auth = open();
        assertThat(auth.warnings(List.of(AuthMechanism.PLAIN, AuthMechanism.CRAM_MD5))).containsExactly(
                "users file " + file + " mixes hash costs (bcrypt cost 5, argon2id m=256,t=1,p=1,len=32): an unknown user "
                        + "takes as long as one with bcrypt cost 5, so users with another cost can be told from unknown "
                        + "users by timing; give every user the same cost",
                "users file " + file + ": 1 user(s) with a {plain} password kept in clear (bob), accepted with CRAM-MD5 only");
        assertThat(auth.warnings(List.of(AuthMechanism.PLAIN))).last().asString()
                .endsWith("accepted with CRAM-MD5 only, which --auth-mechanisms does not offer: they cannot authenticate");
        write("a:{plain}1\nb:{plain}2\nc:{plain}3\nd:{plain}4\ne:{plain}5\n");
        assertThat(open().warnings(List.of(AuthMechanism.CRAM_MD5))).containsExactly("users file " + file
                + ": 5 user(s) with a {plain} password kept in clear (a, b, c, d, e), accepted with CRAM-MD5 only");
        write("a:{plain}1\nb:{plain}2\nc:{plain}3\nd:{plain}4\ne:{plain}5\nf:{plain}6\n");
        assertThat(open().warnings(List.of(AuthMechanism.CRAM_MD5))).containsExactly("users file " + file
                + ": 6 user(s) with a {plain} password kept in clear (a, b, c, d, e, ...), accepted with CRAM-MD5 only");
        write("alice:" + UsersFileTest.ALICE_BCRYPT + "\n");
        assertThat(open().warnings(List.of(AuthMechanism.PLAIN))).isEmpty();
        assertThat(open().warnings(List.of(AuthMechanism.PLAIN, AuthMechanism.CRAM_MD5))).containsExactly("--auth-mechanisms "
                + "offers CRAM-MD5 but users file " + file + " has no {plain} password, which CRAM-MD5 needs: every CRAM-MD5 "
                + "attempt will fail");
        write("# nobody\n");
        assertThat(open().warnings(List.of(AuthMechanism.PLAIN))).containsExactly("users file " + file
                + " lists no user: every AUTH will fail");
    }

    @Test
    void verificationsRunAtMostOnePerProcessorAtOnce() throws Exception {
        java.util.concurrent.atomic.AtomicReference<UsersAuthenticator> self = new java.util.concurrent.atomic.AtomicReference<>();
        List<Integer> idleDuring = new ArrayList<>();
        UsersAuthenticator auth = UsersAuthenticator.open(file, (hash, password) -> {
            idleDuring.add(self.get().idleVerifications());
            return hash.matches(password);
        });
        self.set(auth);
        int processors = Math.max(1, Runtime.getRuntime().availableProcessors());
        assertThat(auth.idleVerifications()).isEqualTo(processors);
        auth.authenticate(plain("alice", "correct horse"));
        auth.authenticate(plain("nobody", "correct horse"));
        assertThat(idleDuring).containsExactly(processors - 1, processors - 1);
        assertThat(auth.idleVerifications()).as("released").isEqualTo(processors);
    }

    @Test
    void aReloadedFileSaysWhatWeakensIt() throws Exception {
        UsersAuthenticator auth = open();
        write("a:" + UsersFileTest.bcrypt("1", 4) + "\nb:" + UsersFileTest.bcrypt("2", 5) + "\n");
        auth.authenticate(plain("a", "1"));
        assertThat(logLines()).containsExactly("users file " + file + " reloaded: 2 user(s)", "users file " + file
                + " mixes hash costs (bcrypt cost 4, bcrypt cost 5): an unknown user takes as long as one with bcrypt cost 4, "
                + "so users with another cost can be told from unknown users by timing; give every user the same cost");
    }

    @Test
    void aFileSystemWithoutPosixPermissionsIsReadWithAWarning() throws Exception {
        Path zip = dir.resolve("users.zip");
        try (java.nio.file.FileSystem fs = java.nio.file.FileSystems.newFileSystem(zip, java.util.Map.of("create", "true"))) {
            Path inZip = fs.getPath("/users");
            Files.writeString(inZip, "alice:" + UsersFileTest.ALICE_BCRYPT + "\n");
            assertThat(FilePermissions.check(inZip)).isInstanceOf(FilePermissions.NotPosix.class);
            UsersAuthenticator auth = UsersAuthenticator.open(inZip);
            assertThat(auth.authenticate(plain("alice", "correct horse")).accepted()).isTrue();
            assertThat(auth.warnings(List.of(AuthMechanism.PLAIN))).containsExactly("users file /users: this file system has no "
                    + "POSIX permissions, so whether other users can read it was not checked; keep it where only this "
                    + "server's user can");
        }
    }

    @Test
    void aVerificationThatThrowsIsARefusal() throws Exception {
        UsersAuthenticator auth = UsersAuthenticator.open(file, (hash, password) -> {
            throw new IllegalArgumentException("Bouncy Castle refused the input");
        });
        assertThat(auth.authenticate(plain("alice", "correct horse")).refusal()).isEqualTo("wrong password");
    }
}
