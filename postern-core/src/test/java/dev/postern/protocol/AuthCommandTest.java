package dev.postern.protocol;

import dev.postern.SmtpSession;
import dev.postern.SmtpHandler;
import dev.postern.SmtpRejection;
import dev.postern.auth.AuthConfig;
import dev.postern.auth.AuthMechanism;
import dev.postern.auth.Credentials;
import dev.postern.tls.TlsConfig;
import dev.postern.tls.TlsInfo;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;

import static dev.postern.protocol.ProtocolHarness.codes;
import static org.assertj.core.api.Assertions.assertThat;

/** AUTH (RFC 4954) in the state machine. */
class AuthCommandTest {

    private static final AuthConfig ALL = AuthConfig.of(AuthMechanism.PLAIN, AuthMechanism.LOGIN,
            AuthMechanism.CRAM_MD5, AuthMechanism.XOAUTH2).andAllowPlaintext();

    /** Knows alice / s3cret; records every attempt. */
    static final class Users implements SmtpHandler {
        final List<Credentials> attempts = new ArrayList<>();

        @Override
        public String onAuth(SmtpSession session, Credentials c) {
            attempts.add(c);
            boolean ok = switch (c) {
                case Credentials.Password p -> p.username().equals("alice") && p.password().equals("s3cret");
                case Credentials.CramMd5 cram -> cram.username().equals("alice") && cram.verify("s3cret");
                case Credentials.BearerToken t -> t.token().equals("good-token");
            };
            if (!ok) {
                throw SmtpRejection.of(535, "5.7.8", "Authentication credentials invalid");
            }
            return c.username().equals("alice") ? "alice@example.org" : null;
        }
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static ProtocolHarness harness(SmtpHandler h, Consumer<dev.postern.SmtpServerConfig.Builder> more) {
        ProtocolHarness harness = new ProtocolHarness(h, b -> {
            b.auth(ALL);
            more.accept(b);
        });
        harness.ready();
        return harness;
    }

    @Test
    void ehloAdvertisesTheConfiguredMechanismsInOrder() {
        assertThat(harness(new Users(), b -> { }).cmd("EHLO c")).contains("250 AUTH PLAIN LOGIN CRAM-MD5 XOAUTH2\r\n");
        assertThat(new ProtocolHarness().ready().cmd("EHLO c")).doesNotContain("AUTH");
    }

    @Test
    void plainWithInitialResponse() {
        Users users = new Users();
        ProtocolHarness h = harness(users, b -> { });
        assertThat(h.cmd("AUTH PLAIN " + b64("\0alice\0s3cret"))).isEqualTo("235 2.7.0 Authentication successful\r\n");
        assertThat(h.session.authenticatedUser()).contains("alice@example.org");
        assertThat(h.cmd("AUTH PLAIN " + b64("\0alice\0s3cret"))).startsWith("503 5.5.1");
        assertThat(users.attempts).hasSize(1);
    }

    @Test
    void loginDialogue() {
        ProtocolHarness h = harness(new Users(), b -> { });
        assertThat(h.cmd("AUTH LOGIN")).isEqualTo("334 " + b64("Username:") + "\r\n");
        assertThat(h.cmd(b64("alice"))).isEqualTo("334 " + b64("Password:") + "\r\n");
        assertThat(h.cmd(b64("s3cret"))).startsWith("235 2.7.0");
    }

    @Test
    void cramMd5() throws Exception {
        ProtocolHarness h = harness(new Users(), b -> { });
        String challenge = new String(Base64.getDecoder().decode(h.cmd("AUTH CRAM-MD5").substring(4).strip()), StandardCharsets.UTF_8);
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacMD5");
        mac.init(new javax.crypto.spec.SecretKeySpec("s3cret".getBytes(StandardCharsets.UTF_8), "HmacMD5"));
        String digest = java.util.HexFormat.of().formatHex(mac.doFinal(challenge.getBytes(StandardCharsets.UTF_8)));
        assertThat(h.cmd(b64("alice " + digest))).startsWith("235 2.7.0");
    }

    @Test
    void wrongPasswordIs535AndCountsAsAnError() {
        ProtocolHarness h = harness(new Users(), b -> b.maxErrors(2));
        assertThat(h.cmd("AUTH PLAIN " + b64("\0alice\0wrong"))).isEqualTo("535 5.7.8 Authentication credentials invalid\r\n");
        assertThat(h.session.authenticatedUser()).isEmpty();
        assertThat(h.cmd("AUTH PLAIN " + b64("\0alice\0wrong"))).contains("421 4.7.0 Too many errors");
        assertThat(h.protocol.isClosed()).isTrue();
    }

    @Test
    void xoauth2FailureSendsAnErrorChallengeThenTheRefusal() {
        ProtocolHarness h = harness(new Users(), b -> { });
        String challenge = h.cmd("AUTH XOAUTH2 " + b64("user=alice\u0001auth=Bearer bad\u0001\u0001"));
        assertThat(challenge).startsWith("334 ");
        assertThat(new String(Base64.getDecoder().decode(challenge.substring(4).strip()), StandardCharsets.UTF_8)).contains("\"status\":\"401\"");
        assertThat(h.cmd("")).startsWith("535 5.7.8");
        assertThat(h.cmd("AUTH XOAUTH2 " + b64("user=alice\u0001auth=Bearer good-token\u0001\u0001"))).startsWith("235");
    }

    @Test
    void cancelMalformedAndUnknown() {
        ProtocolHarness h = harness(new Users(), b -> { });
        h.cmd("AUTH LOGIN");
        assertThat(h.cmd("*")).startsWith("501 5.0.0");
        assertThat(h.cmd("AUTH PLAIN !!!")).startsWith("501 5.5.2");
        assertThat(h.cmd("AUTH GSSAPI")).startsWith("504 5.5.4");
        assertThat(h.cmd("AUTH")).startsWith("501 5.5.4");
        assertThat(codes(h.cmd("NOOP"))).containsExactly(250); // back to commands
    }

    @Test
    void sequenceRules() {
        ProtocolHarness h = new ProtocolHarness(new Users(), b -> b.auth(ALL));
        h.connect();
        assertThat(h.cmd("AUTH PLAIN " + b64("\0alice\0s3cret"))).startsWith("503 5.5.1"); // before EHLO
        h.cmd("EHLO c");
        h.cmd("MAIL FROM:<a@b.test>");
        assertThat(h.cmd("AUTH PLAIN " + b64("\0alice\0s3cret"))).startsWith("503 5.5.1"); // in a transaction
        assertThat(new ProtocolHarness().ready().cmd("AUTH PLAIN x")).startsWith("502 5.5.1"); // not configured
    }

    @Test
    void withoutTlsAuthIsNotOfferedAndRefusedWith538() {
        ProtocolHarness h = new ProtocolHarness(new Users(), b -> b.auth(AuthConfig.of(AuthMechanism.PLAIN))
                .tls(TlsConfig.selfSigned("mx.test").build()));
        h.ready();
        assertThat(h.cmd("EHLO c")).doesNotContain("AUTH");
        assertThat(h.cmd("AUTH PLAIN " + b64("\0alice\0s3cret"))).startsWith("538 5.7.11");
        h.cmd("STARTTLS");
        h.protocol.tlsEstablished(new TlsInfo("TLSv1.3", "TLS_AES_128_GCM_SHA256", List.of(), null, false));
        assertThat(h.cmd("EHLO c")).contains("AUTH PLAIN");
        assertThat(h.cmd("AUTH PLAIN " + b64("\0alice\0s3cret"))).startsWith("235");
    }

    @Test
    void requiredAuthRefusesMailUntilAuthenticated() {
        ProtocolHarness h = harness(new Users(), b -> b.auth(ALL.andRequired()));
        assertThat(h.cmd("MAIL FROM:<a@b.test>")).isEqualTo("530 5.7.0 Authentication required\r\n");
        h.cmd("AUTH PLAIN " + b64("\0alice\0s3cret"));
        assertThat(h.cmd("MAIL FROM:<a@b.test> AUTH=<>")).startsWith("250");
    }

    @Test
    void theDefaultHookRefusesEveryone() {
        ProtocolHarness h = harness(new SmtpHandler() { }, b -> { });
        assertThat(h.cmd("AUTH PLAIN " + b64("\0alice\0s3cret"))).startsWith("535 5.7.8");
    }

    @Test
    void aFailingHookIsATemporaryFailure() {
        ProtocolHarness h = harness(new SmtpHandler() {
            @Override
            public String onAuth(SmtpSession session, Credentials credentials) {
                throw new IllegalStateException("LDAP down");
            }
        }, b -> { });
        assertThat(h.cmd("AUTH PLAIN " + b64("\0alice\0s3cret"))).startsWith("454 4.7.0");
    }

    @Test
    void startTlsForgetsAnEarlierAuth() {
        ProtocolHarness h = new ProtocolHarness(new Users(), b -> b.auth(ALL).tls(TlsConfig.selfSigned("mx.test").build()));
        h.ready();
        assertThat(h.cmd("AUTH PLAIN " + b64("\0alice\0s3cret"))).startsWith("235 2.7.0");
        assertThat(h.session.authenticatedUser()).contains("alice@example.org");
        assertThat(h.cmd("STARTTLS")).startsWith("220 2.0.0");
        h.protocol.tlsEstablished(new TlsInfo("TLSv1.3", "TLS_AES_128_GCM_SHA256", List.of(), null, false));
        assertThat(h.session.authenticatedUser()).isEmpty();
        h.cmd("EHLO c");
        assertThat(h.cmd("AUTH PLAIN " + b64("\0alice\0s3cret"))).startsWith("235 2.7.0"); // may authenticate again
    }

    /** Log lines of a session, as onLogEvent gets them. */
    static final class LoggingUsers extends SmtpHandlerWithLog {
        @Override
        public String onAuth(SmtpSession session, Credentials c) {
            if (c.username().startsWith("good")) {
                return null; // the identity is the user name as given
            }
            throw SmtpRejection.of(535, "5.7.8", "Authentication credentials invalid");
        }
    }

    /** Records each log line. */
    static class SmtpHandlerWithLog implements SmtpHandler {
        final List<String> log = new ArrayList<>();

        @Override
        public void onLogEvent(SmtpSession session, dev.postern.LogLevel level, String message, Throwable error) {
            log.add(message);
        }
    }

    /**
     * Log forging: a user name is the client's text. Line ends and other control characters (C0, DEL, C1,
     * and the Unicode line and paragraph separators) become '?' in the one log line the attempt makes,
     * for a refused name and for an accepted one alike.
     */
    @Test
    void controlCharactersInAUserNameAreCleanedInTheLogLine() {
        LoggingUsers users = new LoggingUsers();
        ProtocolHarness h = harness(users, b -> { });
        String forged = "mallory\r\n[TEST1] AUTH PLAIN as admin\u001b[2J\u007f\u0085\u2028\u2029\tend";
        assertThat(h.cmd("AUTH PLAIN " + b64("\0" + forged + "\0pw"))).startsWith("535");
        assertThat(h.cmd("AUTH LOGIN")).startsWith("334");
        h.cmd(b64("good\nfake line"));
        assertThat(h.cmd(b64("pw"))).startsWith("235");
        assertThat(users.log).filteredOn(l -> l.startsWith("AUTH")).containsExactly(
                "AUTH PLAIN failed for mallory??[TEST1] AUTH PLAIN as admin?[2J?????end: 535 5.7.8 Authentication credentials invalid",
                "AUTH LOGIN as good?fake line");
    }

    @Test
    void aVeryLongUserNameIsShortenedInTheLogLine() {
        LoggingUsers users = new LoggingUsers();
        ProtocolHarness h = harness(users, b -> { });
        String name = "x".repeat(199) + "yz" + "\n".repeat(50);
        h.cmd("AUTH PLAIN " + b64("\0" + name + "\0pw"));
        assertThat(users.log).filteredOn(l -> l.startsWith("AUTH"))
                .containsExactly("AUTH PLAIN failed for " + "x".repeat(199) + "y...: 535 5.7.8 Authentication credentials invalid");
        h.cmd("AUTH PLAIN " + b64("\0" + "good" + "g".repeat(196) + "\0pw"));
        assertThat(users.log.getLast()).isEqualTo("AUTH PLAIN as good" + "g".repeat(196)); // 200: kept whole
    }

    /** RFC 4954 5: MAIL's AUTH= parameter belongs to the AUTH extension; without it, it is an unknown parameter. */
    @Test
    void mailWithAnAuthParameterIsRefusedWhenAuthIsOff() {
        ProtocolHarness h = new ProtocolHarness().ready();
        assertThat(h.cmd("MAIL FROM:<a@b.test> AUTH=<>")).isEqualTo("555 5.5.4 Unsupported parameter: AUTH\r\n");
        assertThat(h.session.envelope()).isNull();
        ProtocolHarness on = harness(new Users(), b -> { });
        assertThat(on.cmd("MAIL FROM:<a@b.test> AUTH=alice@example.org")).startsWith("250");
        assertThat(on.session.authenticatedUser()).isEmpty(); // the parameter is kept, never believed
        assertThat(on.session.envelope().mailParameters().get("AUTH")).contains("alice@example.org");
    }

    @Test
    void longAuthLinesUpTo12288OctetsAreAccepted() {
        ProtocolHarness h = harness(new Users(), b -> { });
        String token = "t".repeat(9000);
        assertThat(h.cmd("AUTH XOAUTH2 " + b64("user=bob\u0001auth=Bearer " + token + "\u0001\u0001"))).startsWith("334 ");
        assertThat(h.cmd("")).startsWith("535"); // the XOAUTH2 error challenge acknowledged
        assertThat(h.cmd("NOOP " + "x".repeat(600))).startsWith("500 5.5.6"); // other commands keep their limit
    }

    /** authFailureLimit: failures are counted per real client across sessions; over the limit, 454 after a pause. */
    @Test
    void tooManyFailuresGet454AfterAPauseUntilTheWindowPasses() {
        AuthThrottle shared = new AuthThrottle(2, java.time.Duration.ofMinutes(10));
        ProtocolHarness first = new ProtocolHarness(new Users(), b -> b.auth(ALL), shared).ready();
        assertThat(first.cmd("AUTH PLAIN " + b64("\0alice\0wrong"))).startsWith("535");
        ProtocolHarness second = new ProtocolHarness(new Users(), b -> b.auth(ALL), shared).ready();
        assertThat(second.cmd("AUTH PLAIN " + b64("\0bob\0guess"))).startsWith("535");
        assertThat(second.pauses).isEmpty();

        Users users = new Users();
        ProtocolHarness third = new ProtocolHarness(users, b -> b.auth(ALL), shared).ready();
        // The right password changes nothing now: the handler is not even asked.
        String replies = third.feed("AUTH PLAIN " + b64("\0alice\0s3cret") + "\r\nNOOP\r\n");
        assertThat(replies).isEqualTo("454 4.7.0 Too many failed authentication attempts, try again later\r\n");
        assertThat(third.pauses).containsExactly(java.time.Duration.ofSeconds(1));
        assertThat(third.protocol.isPaused()).isTrue();
        assertThat(users.attempts).isEmpty();
        assertThat(third.buffered()).isPositive(); // NOOP waits for the pause to end
        third.protocol.resume();
        assertThat(third.feed("")).startsWith("250");
        assertThat(third.cmd("AUTH LOGIN")).startsWith("454 4.7.0");
        assertThat(third.pauses).containsExactly(java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(2));
        third.protocol.resume();

        third.advance(java.time.Duration.ofMinutes(10));
        assertThat(third.cmd("AUTH PLAIN " + b64("\0alice\0s3cret"))).startsWith("235");
        assertThat(third.pauses).hasSize(2);
    }

    @Test
    void failuresAreCountedByTheRealClientNotTheProxy() {
        AuthThrottle shared = new AuthThrottle(1, java.time.Duration.ofMinutes(10));
        ProtocolHarness viaXclient = new ProtocolHarness(new Users(), b -> b.auth(ALL)
                .xclientHosts(dev.postern.proxy.TrustedSources.parse("127.0.0.0/8")), shared).ready();
        assertThat(viaXclient.cmd("XCLIENT ADDR=192.0.2.7")).startsWith("220");
        viaXclient.cmd("EHLO c");
        assertThat(viaXclient.cmd("AUTH PLAIN " + b64("\0alice\0wrong"))).startsWith("535");
        assertThat(viaXclient.cmd("AUTH PLAIN " + b64("\0alice\0s3cret"))).startsWith("454");
        // the proxy itself (127.0.0.9) failed nothing
        ProtocolHarness proxy = new ProtocolHarness(new Users(), b -> b.auth(ALL), shared).ready();
        assertThat(proxy.cmd("AUTH PLAIN " + b64("\0alice\0s3cret"))).startsWith("235");
    }

    @Test
    void aLimitOfZeroNeverThrottles() {
        ProtocolHarness h = harness(new Users(), b -> b.authFailureLimit(0, java.time.Duration.ofMinutes(1)));
        for (int i = 0; i < 10; i++) {
            assertThat(h.cmd("AUTH PLAIN " + b64("\0alice\0wrong"))).startsWith("535");
        }
        assertThat(h.pauses).isEmpty();
    }
}
