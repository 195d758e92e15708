package dev.postern.auth;

import dev.postern.SmtpHandler;
import dev.postern.SmtpRejection;
import dev.postern.SmtpSession;
import dev.postern.testing.SmtpLines;
import dev.postern.testing.TestServer;
import dev.postern.testing.TestServers;
import dev.postern.testing.TestTls;
import dev.postern.tls.StartTlsMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The AUTH rules a client meets on the wire, each with a server configured the way the rule matters:
 * only the configured mechanisms, nothing before a required STARTTLS, and the RFC 4954 line bound that
 * ends an exchange. (The protocol-level cases are in AuthCommandTest; real clients in AuthSocketTest.)
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AuthPolicySocketTest {

    @RegisterExtension
    final TestServers servers = new TestServers(c -> c.tls(TestTls.serverTls().build()));

    /** alice / s3cret; records the mechanism of every exchange that reached the hook. */
    static final class Users implements SmtpHandler {
        final List<String> checked = new CopyOnWriteArrayList<>();

        @Override
        public String onAuth(SmtpSession session, Credentials c) {
            checked.add(c.mechanism().wireName() + " " + c.username());
            if (c instanceof Credentials.Password p && p.username().equals("alice") && p.password().equals("s3cret")) {
                return null;
            }
            throw SmtpRejection.of(535, "5.7.8", "Authentication credentials invalid");
        }
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Greeting, EHLO, STARTTLS and the handshake, EHLO again: returns the EHLO reply over TLS. */
    private static String secure(SmtpLines io) throws Exception {
        assertThat(io.reply()).startsWith("220 mx.test");
        assertThat(io.cmd("EHLO client.test")).contains("STARTTLS");
        assertThat(io.cmd("STARTTLS")).startsWith("220 2.0.0");
        io.startTls(TestTls.client(null));
        return io.cmd("EHLO client.test");
    }

    @Test
    void aPlainOnlyServerRefusesEveryOtherMechanismWith504() throws Exception {
        Users users = new Users();
        TestServer server = servers.start(users, c -> c.auth(AuthConfig.of(AuthMechanism.PLAIN)));
        try (SmtpLines io = SmtpLines.connect(server.port())) {
            assertThat(secure(io)).contains("250 AUTH PLAIN").doesNotContain("LOGIN", "CRAM-MD5", "XOAUTH2");
            // known mechanisms, implemented by the server, but not configured: each one 504, no exchange begins
            assertThat(io.cmd("AUTH LOGIN")).isEqualTo("504 5.5.4 Unrecognized authentication type");
            assertThat(io.cmd("AUTH LOGIN " + b64("alice"))).startsWith("504 5.5.4");
            assertThat(io.cmd("AUTH CRAM-MD5")).startsWith("504 5.5.4");
            assertThat(io.cmd("AUTH XOAUTH2 " + b64("user=alice\u0001auth=Bearer t\u0001\u0001"))).startsWith("504 5.5.4");
            assertThat(io.cmd("AUTH login")).startsWith("504 5.5.4");
            assertThat(io.cmd("NOOP")).startsWith("250"); // still reading commands, not SASL responses
            assertThat(io.cmd("AUTH PLAIN " + b64("\0alice\0s3cret"))).startsWith("235 2.7.0");
        }
        assertThat(users.checked).containsExactly("PLAIN alice");
    }

    /**
     * RFC 3207 4: with STARTTLS required, AUTH and MAIL in clear get 530, even where AUTH would otherwise be
     * allowed in clear; nothing reaches the hook. After STARTTLS both work.
     */
    @ParameterizedTest(name = "AUTH allowed in clear: {0}")
    @ValueSource(booleans = {false, true})
    void requiredStartTlsRefusesAuthAndMailInClearWith530(boolean allowPlaintext) throws Exception {
        Users users = new Users();
        AuthConfig auth = AuthConfig.of(AuthMechanism.PLAIN, AuthMechanism.LOGIN);
        TestServer server = servers.start(users, c -> c.startTls(StartTlsMode.REQUIRED)
                .auth(allowPlaintext ? auth.andAllowPlaintext() : auth));
        try (SmtpLines io = SmtpLines.connect(server.port())) {
            assertThat(io.reply()).startsWith("220 mx.test");
            assertThat(io.cmd("EHLO client.test")).contains("STARTTLS");
            assertThat(io.cmd("AUTH PLAIN " + b64("\0alice\0s3cret"))).isEqualTo("530 5.7.0 Must issue a STARTTLS command first");
            assertThat(io.cmd("AUTH LOGIN")).startsWith("530 5.7.0");
            assertThat(io.cmd("MAIL FROM:<alice@example.org>")).startsWith("530 5.7.0");
            assertThat(io.cmd("NOOP")).startsWith("250"); // the refused AUTH LOGIN started no exchange
            assertThat(io.cmd("STARTTLS")).startsWith("220 2.0.0");
            io.startTls(TestTls.client(null));
            assertThat(io.cmd("EHLO client.test")).contains("AUTH PLAIN LOGIN").doesNotContain("STARTTLS");
            assertThat(io.cmd("AUTH PLAIN " + b64("\0alice\0s3cret"))).startsWith("235 2.7.0");
            assertThat(io.cmd("MAIL FROM:<alice@example.org>")).startsWith("250");
        }
        assertThat(users.checked).containsExactly("PLAIN alice");
    }

    /**
     * RFC 4954 4: a SASL line may be 12288 octets with its CRLF. One octet more is a 500 5.5.6 that ends
     * the exchange: the next line is a command again, and a new AUTH starts from the beginning.
     */
    @Test
    void aSaslLineOverTheBoundEndsTheExchangeAndTheNextLineIsACommand() throws Exception {
        Users users = new Users();
        TestServer server = servers.start(users, c -> c.auth(AuthConfig.of(AuthMechanism.LOGIN)));
        try (SmtpLines io = SmtpLines.connect(server.port())) {
            secure(io);
            assertThat(io.cmd("AUTH LOGIN")).isEqualTo("334 " + b64("Username:"));
            String longest = "QUFB".repeat(3071) + "QQ"; // 12286 octets of base64 (unpadded), 12288 with CRLF
            assertThat(longest).hasSize(12286);
            assertThat(io.cmd(longest)).isEqualTo("334 " + b64("Password:"));
            assertThat(io.cmd("*")).startsWith("501 5.0.0"); // cancelled

            assertThat(io.cmd("AUTH LOGIN")).startsWith("334 ");
            assertThat(io.cmd("A".repeat(12287))).isEqualTo("500 5.5.6 Line too long"); // 12289 octets
            assertThat(io.cmd("NOOP")).isEqualTo("250 2.0.0 Ok");
            assertThat(io.cmd("AUTH LOGIN")).isEqualTo("334 " + b64("Username:"));
            assertThat(io.cmd(b64("alice"))).startsWith("334 ");
            assertThat(io.cmd(b64("s3cret"))).startsWith("235 2.7.0");
        }
        assertThat(users.checked).containsExactly("LOGIN alice");
    }

    @Test
    void anAuthCommandLineOverTheBoundIsRefusedAndStartsNoExchange() throws Exception {
        Users users = new Users();
        TestServer server = servers.start(users, c -> c.auth(AuthConfig.of(AuthMechanism.PLAIN)));
        try (SmtpLines io = SmtpLines.connect(server.port())) {
            secure(io);
            String initial = "AUTH PLAIN " + "A".repeat(12288 - 2 - "AUTH PLAIN ".length() + 1); // 12289 octets
            assertThat(io.cmd(initial)).isEqualTo("500 5.5.6 Line too long");
            assertThat(io.cmd("NOOP")).isEqualTo("250 2.0.0 Ok");
        }
        assertThat(users.checked).isEmpty();
    }
}
