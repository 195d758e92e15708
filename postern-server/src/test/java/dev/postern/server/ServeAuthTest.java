package dev.postern.server;

import ch.qos.logback.classic.Level;
import dev.postern.testing.AngusMail;
import dev.postern.testing.ExternalTool;
import dev.postern.testing.RawSmtpClient;
import dev.postern.testing.Swaks;
import dev.postern.testing.TestServer;
import dev.postern.testing.TestServers;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code postern serve --auth} over real sockets with real clients: swaks and Angus Mail, against a users
 * file written by Apache's own {@code htpasswd -B}, over STARTTLS and implicit TLS.
 */
@Timeout(120)
class ServeAuthTest {

    private static final String ALICE_PASSWORD = "correct horse battery";
    private static final String BOB_PASSWORD = "b0b's cram pw";
    private static final String CAROL_PASSWORD = "argon2 staple";

    @TempDir
    Path dir;

    @RegisterExtension
    final TestServers servers = new TestServers();

    private Path users;
    private LogCapture logs;

    @BeforeEach
    void setUp() throws Exception {
        users = dir.resolve("users");
        htpasswd("-c", "alice", ALICE_PASSWORD);
        Files.setPosixFilePermissions(users, PosixFilePermissions.fromString("rw-------"));
        logs = new LogCapture();
        // The refusal reasons are DEBUG lines: they too must be free of passwords.
        logs.root.setLevel(Level.DEBUG);
    }

    @AfterEach
    void tearDown() {
        logs.root.setLevel(Level.INFO);
        logs.close();
        // Whatever a test did, no log line carries a password, in clear or as the base64 PLAIN sends.
        for (String line : logs.lines()) {
            for (String secret : List.of(ALICE_PASSWORD, BOB_PASSWORD, CAROL_PASSWORD, "wrong password!")) {
                assertThat(line).as("a log line").doesNotContain(secret)
                        .doesNotContain(Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8)))
                        .doesNotContain(Base64.getEncoder().encodeToString(("\0alice\0" + secret).getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    /** Runs Apache's htpasswd with bcrypt (-B) on the users file. */
    private void htpasswd(String create, String user, String password) throws Exception {
        List<String> command = new ArrayList<>(List.of("htpasswd", "-B", "-b"));
        if (!create.isEmpty()) {
            command.add(create);
        }
        command.addAll(List.of(users.toString(), user, password));
        ExternalTool.Result r = ExternalTool.run(Duration.ofSeconds(30), command);
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    /** Appends a line, keeping the file private, with a modification time unlike the last one's. */
    private void append(String line) throws IOException {
        rewrite(Files.readString(users) + line + "\n");
    }

    private void rewrite(String text) throws IOException {
        FileTime before = Files.getLastModifiedTime(users);
        Files.writeString(users, text);
        Instant later = before.toInstant().plusSeconds(1);
        Files.setLastModifiedTime(users, FileTime.from(later.isAfter(Instant.now()) ? later : Instant.now()));
    }

    /** A started server: port(0) plain with STARTTLS, port(1) implicit TLS. */
    private record Running(StandaloneServer standalone, TestServer smtp) {
    }

    private Running start(String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of("--listen", "127.0.0.1:0", "--tls-listen", "127.0.0.1:0", "--tls-self-signed",
                "--hostname", "mx.test", "--maildir", dir.resolve("mail").toString(), "--auth", "required",
                "--users", users.toString()));
        all.addAll(List.of(args));
        StandaloneServer standalone = new StandaloneServer(ServeCommandTest.settings(all.toArray(String[]::new)));
        TestServer server = servers.add(TestServer.of(standalone.start(), () -> standalone.stop(Duration.ZERO)));
        return new Running(standalone, server);
    }

    private List<String> delivered() throws IOException {
        return MaildirContents.delivered(dir.resolve("mail"));
    }

    private static ExternalTool.Result swaks(int port, boolean implicitTls, String mechanism, String user, String password)
            throws Exception {
        return Swaks.run(port, implicitTls ? "--tls-on-connect" : "--tls", "--auth", mechanism, "--auth-user", user,
                "--auth-password", password, "--from", user + "@example.org", "--to", "rcpt@example.org");
    }

    @ParameterizedTest(name = "swaks {0}")
    @ValueSource(strings = {"PLAIN", "LOGIN"})
    void swaksAuthenticatesOverStartTlsAndImplicitTls(String mechanism) throws Exception {
        TestServer server = start("--received-auth-user").smtp();
        ExternalTool.Result startTls = swaks(server.port(0), false, mechanism, "alice", ALICE_PASSWORD);
        assertThat(startTls.exitCode()).as(startTls.output()).isZero();
        assertThat(startTls.output()).contains("<~  235 2.7.0");
        ExternalTool.Result implicit = swaks(server.port(1), true, mechanism, "alice", ALICE_PASSWORD);
        assertThat(implicit.exitCode()).as(implicit.output()).isZero();
        assertThat(delivered()).hasSize(2).allSatisfy(m -> assertThat(m).startsWith("Received: from swaks.test (unknown "
                + "[127.0.0.1]) (Authenticated sender: alice) by mx.test (Postern) with ESMTPSA id "));
        assertThat(logs.messages()).contains("AUTH: required before MAIL, PLAIN LOGIN, over TLS only, users file " + users
                + " with 1 user(s)");
    }

    @Test
    void discardWithAuthChecksPasswordsAndKeepsNothing() throws Exception {
        TestServer server = start("--discard", "--auth-allow-plaintext").smtp();
        ExternalTool.Result r = Swaks.run(server.port(0), "--auth", "PLAIN", "--auth-user", "alice", "--auth-password",
                ALICE_PASSWORD, "--from", "alice@example.org", "--to", "rcpt@example.org");
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("<-  235 2.7.0");
        assertThat(Swaks.run(server.port(0), "--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "wrong password!",
                "--from", "alice@example.org", "--to", "rcpt@example.org").output()).contains("<** 535 5.7.8");
        assertThat(dir.resolve("mail")).doesNotExist();
        assertThat(logs.messages()).contains("AUTH: required before MAIL, PLAIN LOGIN, with or without TLS, users file " + users
                + " with 1 user(s)");
    }

    @Test
    void wrongPasswordsAndUnknownUsersGetTheSame535() throws Exception {
        TestServer server = start().smtp();
        ExternalTool.Result wrong = swaks(server.port(0), false, "PLAIN", "alice", "wrong password!");
        ExternalTool.Result unknown = swaks(server.port(1), true, "LOGIN", "mallory", ALICE_PASSWORD);
        for (ExternalTool.Result r : List.of(wrong, unknown)) {
            assertThat(r.exitCode()).as(r.output()).isNotZero();
            assertThat(r.output()).contains("<~* 535 5.7.8 Authentication credentials invalid");
        }
        assertThat(Files.exists(dir.resolve("mail/new")) ? delivered() : List.of()).isEmpty();
        assertThat(logs.messages()).anyMatch(m -> m.endsWith("AUTH PLAIN refused: wrong password"))
                .anyMatch(m -> m.endsWith("AUTH LOGIN refused: no such user in the users file"));
    }

    private void sendWithAngus(String protocol, int port, String mechanism, String user, String password) throws Exception {
        Properties p = AngusMail.settings(protocol, port);
        if (protocol.equals("smtp")) {
            p.put("mail.smtp.starttls.enable", "true");
            p.put("mail.smtp.starttls.required", "true");
        }
        p.put("mail." + protocol + ".ssl.trust", "*");
        p.put("mail." + protocol + ".ssl.checkserveridentity", "false");
        p.put("mail." + protocol + ".auth", "true");
        p.put("mail." + protocol + ".auth.mechanisms", mechanism);
        Session session = Session.getInstance(p);
        MimeMessage m = AngusMail.message(session, user + "@example.org", "rcpt@example.org", "submitted", "hello\r\n");
        try (Transport t = session.getTransport(protocol)) {
            t.connect(user, password);
            t.sendMessage(m, m.getAllRecipients());
        }
    }

    @ParameterizedTest(name = "Angus Mail {0}")
    @ValueSource(strings = {"PLAIN", "LOGIN"})
    void angusMailAuthenticatesOverStartTlsAndImplicitTls(String mechanism) throws Exception {
        TestServer server = start().smtp();
        sendWithAngus("smtp", server.port(0), mechanism, "alice", ALICE_PASSWORD);
        sendWithAngus("smtps", server.port(1), mechanism, "alice", ALICE_PASSWORD);
        assertThatThrownBy(() -> sendWithAngus("smtps", server.port(1), mechanism, "alice", "wrong password!"))
                .isInstanceOf(AuthenticationFailedException.class);
        assertThat(delivered()).hasSize(2).allSatisfy(m -> assertThat(m)
                .as("without --received-auth-user the field names no user").contains(" with ESMTPSA id ")
                .doesNotContain("Authenticated sender"));
    }

    /** An Argon2id PHC string made with Bouncy Castle, as the argon2 tool and libsodium write them. */
    private static String argon2id(String password) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id).withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(8192).withIterations(2).withParallelism(1).withSalt(salt).build());
        byte[] hash = new byte[32];
        generator.generateBytes(password.getBytes(StandardCharsets.UTF_8), hash);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return "$argon2id$v=19$m=8192,t=2,p=1$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
    }

    @Test
    void anArgon2idUserAuthenticates() throws Exception {
        append("carol:" + argon2id(CAROL_PASSWORD));
        TestServer server = start().smtp();
        sendWithAngus("smtps", server.port(1), "PLAIN", "carol", CAROL_PASSWORD);
        ExternalTool.Result r = swaks(server.port(0), false, "LOGIN", "carol", CAROL_PASSWORD);
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(swaks(server.port(0), false, "PLAIN", "carol", ALICE_PASSWORD).output()).contains("<~* 535 5.7.8");
        assertThat(delivered()).hasSize(2);
    }

    @Test
    void aPlainPasswordServesCramMd5Only() throws Exception {
        append("bob:{plain}" + BOB_PASSWORD);
        TestServer server = start("--auth-mechanisms", "CRAM-MD5,PLAIN").smtp();
        assertThat(logs.messages()).contains("users file " + users + ": 1 user(s) with a {plain} password kept in clear (bob), "
                + "accepted with CRAM-MD5 only");
        ExternalTool.Result cram = swaks(server.port(0), false, "CRAM-MD5", "bob", BOB_PASSWORD);
        assertThat(cram.exitCode()).as(cram.output()).isZero();
        assertThat(swaks(server.port(0), false, "CRAM-MD5", "bob", "wrong password!").output()).contains("<~* 535 5.7.8");
        assertThat(swaks(server.port(0), false, "PLAIN", "bob", BOB_PASSWORD).output()).as("not with PLAIN")
                .contains("<~* 535 5.7.8");
        assertThat(swaks(server.port(0), false, "CRAM-MD5", "alice", ALICE_PASSWORD).output()).as("a hashed user")
                .contains("<~* 535 5.7.8");
        assertThat(delivered()).hasSize(1);
    }

    @Test
    void theUsersFileIsReloadedWhenItChangesAndABrokenOneKeepsTheOld() throws Exception {
        TestServer server = start().smtp();
        assertThat(swaks(server.port(0), false, "PLAIN", "dave", "dave's pw").output()).contains("<~* 535 5.7.8");
        FileTime before = Files.getLastModifiedTime(users);
        htpasswd("", "dave", "dave's pw");
        Files.setLastModifiedTime(users, FileTime.from(before.toInstant().plusSeconds(1)));
        ExternalTool.Result added = swaks(server.port(0), false, "PLAIN", "dave", "dave's pw");
        assertThat(added.exitCode()).as(added.output()).isZero();
        assertThat(logs.messages()).contains("users file " + users + " reloaded: 2 user(s)");

        append("erin hunter2");
        ExternalTool.Result kept = swaks(server.port(1), true, "PLAIN", "dave", "dave's pw");
        assertThat(kept.exitCode()).as(kept.output()).isZero();
        assertThat(swaks(server.port(1), true, "PLAIN", "alice", ALICE_PASSWORD).exitCode()).isZero();
        assertThat(logs.messages()).containsOnlyOnce(users + " line 3: expected user:hash (no colon); keeping the 2 user(s) read before");
        assertThat(logs.lines()).noneMatch(l -> l.contains("hunter2"));
    }

    @Test
    void aUsersFileAsHtpasswdCreatesItIsRefusedUntilMadePrivate() throws Exception {
        Files.delete(users);
        htpasswd("-c", "alice", ALICE_PASSWORD);
        ServeCommandTest.Run r = ServeCommandTest.run("serve", "--listen", "127.0.0.1:0", "--maildir", dir.resolve("mail").toString(),
                "--auth", "required", "--users", users.toString(), "--auth-allow-plaintext");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("postern: users file " + users + " is rw-r--r--: its group and other users may read "
                + "or change the password hashes; make it readable by this server's user only (chmod 600 " + users + ")\n");
    }

    @Test
    void failuresAreThrottledPerClientThenServedAgainAfterTheWindow() throws Exception {
        TestServer server = start("--auth-allow-plaintext", "--max-auth-failures", "2", "--auth-failure-window", "3s").smtp();
        String right = Base64.getEncoder().encodeToString(("\0alice\0" + ALICE_PASSWORD).getBytes(StandardCharsets.UTF_8));
        String wrong = Base64.getEncoder().encodeToString("\0alice\0wrong password!".getBytes(StandardCharsets.UTF_8));
        try (RawSmtpClient client = new RawSmtpClient("127.0.0.7", server.port(0))) {
            assertThat(client.reply()).startsWith("220 ");
            assertThat(client.cmd("EHLO client.test")).contains("250 AUTH PLAIN LOGIN");
            assertThat(client.cmd("AUTH PLAIN " + wrong)).startsWith("535 5.7.8");
            assertThat(client.cmd("AUTH PLAIN " + wrong)).startsWith("535 5.7.8");
            assertThat(client.cmd("AUTH PLAIN " + right)).as("the right password does not help now").startsWith("454 4.7.0");
        }
        try (RawSmtpClient other = new RawSmtpClient("127.0.0.8", server.port(0))) {
            other.reply();
            other.cmd("EHLO other.test");
            assertThat(other.cmd("AUTH PLAIN " + right)).as("another client is not throttled").startsWith("235 2.7.0");
        }
        // The window runs from the failure that reached the limit; after it, the client is served again.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String reply;
        do {
            Thread.sleep(500);
            try (RawSmtpClient client = new RawSmtpClient("127.0.0.7", server.port(0))) {
                client.reply();
                client.cmd("EHLO client.test");
                reply = client.cmd("AUTH PLAIN " + right);
            }
        } while (reply.startsWith("454") && System.nanoTime() < deadline);
        assertThat(reply).startsWith("235 2.7.0");
    }
}
