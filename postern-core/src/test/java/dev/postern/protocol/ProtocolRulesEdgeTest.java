package dev.postern.protocol;

import dev.postern.ForwardPath;
import dev.postern.ServerMetrics.Counter;
import dev.postern.SmtpRejection;
import dev.postern.auth.AuthConfig;
import dev.postern.auth.AuthMechanism;
import dev.postern.proxy.TrustedSources;
import dev.postern.tls.TlsConfig;
import dev.postern.tls.TlsInfo;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rules of the command families that mutation testing found unchecked: how hook failures are answered,
 * counted and logged, which replies count as errors, the quiet sessions of ignored hosts, what XCLIENT
 * sets, and what the log says about TLS.
 */
class ProtocolRulesEdgeTest {

    private static final TrustedSources HARNESS_CLIENT = TrustedSources.parse("127.0.0.9");
    private static final TlsInfo STARTTLS = new TlsInfo("TLSv1.3", "TLS_AES_128_GCM_SHA256", List.of(), null, false);

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void authHookFailuresAreTemporaryCountedAndLoggedRejectionsAreCountedAsFailures() {
        HookRecorder r = new HookRecorder();
        ProtocolHarness h = new ProtocolHarness(r, b -> b.auth(AuthConfig.of(AuthMechanism.PLAIN).andAllowPlaintext())).ready();
        r.onAuth = new IllegalStateException("LDAP down");
        assertThat(h.cmd("AUTH PLAIN " + b64("\0alice\0pw"))).startsWith("454 4.7.0");
        assertThat(h.metrics.get(Counter.HOOK_FAILURES)).isEqualTo(1);
        assertThat(h.metrics.get(Counter.AUTH_FAILURES)).isZero();
        assertThat(r.log).contains("ERROR onAuth failed");
        r.onAuth = SmtpRejection.of(535, "5.7.8", "no");
        assertThat(h.cmd("AUTH PLAIN " + b64("\0alice\0pw"))).startsWith("535 5.7.8");
        assertThat(h.metrics.get(Counter.AUTH_FAILURES)).isEqualTo(1);
        assertThat(h.metrics.get(Counter.HOOK_FAILURES)).isEqualTo(1);
        r.onAuth = null;
        assertThat(h.cmd("AUTH PLAIN " + b64("\0alice\0pw"))).startsWith("235");
        assertThat(h.metrics.get(Counter.AUTH_SUCCESSES)).isEqualTo(1);
    }

    @Test
    void unknownCommandHookFailuresAre451InATransactionAnd421Outside() {
        HookRecorder r = new HookRecorder();
        ProtocolHarness h = new ProtocolHarness(r, b -> { }).ready();
        r.onUnknown = SmtpRejection.of(502, "5.5.1", "Go away");
        assertThat(h.cmd("XYZZY")).isEqualTo("502 5.5.1 Go away\r\n");
        r.onUnknown = new IllegalStateException("bug");
        h.cmd("MAIL FROM:<a@b.c>");
        assertThat(h.cmd("XYZZY")).startsWith("451 4.3.0");
        assertThat(h.protocol.isClosed()).isFalse();
        h.cmd("RSET");
        assertThat(h.cmd("XYZZY")).startsWith("421 4.3.0");
        assertThat(h.protocol.isClosed()).isTrue();
        assertThat(h.session.unknownCommandCount()).isEqualTo(3);
    }

    @Test
    void envelopeHooksAndRules() {
        HookRecorder r = new HookRecorder();
        ProtocolHarness h = new ProtocolHarness(r, b -> { }).ready();
        r.onMail = new IllegalStateException("db down");
        assertThat(h.cmd("MAIL FROM:<a@b.c>")).startsWith("451 4.3.0");
        assertThat(h.session.envelope()).isNull();
        r.onMail = null;
        assertThat(h.cmd("MAIL FROM:<a@b.c>")).startsWith("250");
        assertThat(h.cmd("RCPT TO:<alias@example.org>")).startsWith("250");
        assertThat(h.cmd("RCPT TO:<bob@example.org>")).startsWith("250");
        assertThat(h.session.envelope().forwardPaths()).extracting(ForwardPath::address)
                .containsExactly("real@example.org", "bob@example.org");
        assertThat(h.feed("BDAT 3\r\nabc")).startsWith("250 2.0.0 3 octets");
        assertThat(h.cmd("RCPT TO:<carol@example.org>")).isEqualTo("503 5.5.1 Error: RCPT not allowed after BDAT\r\n");
        assertThat(h.cmd("MAIL FROM:<j\u00f6rg@example.org>")).startsWith("503"); // nested
        h.cmd("RSET");
        assertThat(h.cmd("MAIL FROM:<j\u00f6rg@example.org>")).startsWith("553 5.6.7");
        assertThat(h.cmd("MAIL FROM:<a@b.c>")).startsWith("250");
        assertThat(h.cmd("RCPT FROM:<x@y.z>")).isEqualTo("501 5.5.4 Syntax: RCPT TO:<address>\r\n");
        h.cmd("RSET");
        assertThat(h.cmd("MAIL FROM:<a@b.c> SMTPUTF8")).startsWith("250");
        assertThat(h.cmd("RCPT TO:<z\u00f6e@example.org>")).startsWith("250");
    }

    /** Every 4xx and 5xx counts as an error (400 and 500 included); the limit's 421 is logged. */
    @Test
    void errorRepliesAreCountedByClassAndTheLimitIsLogged() {
        HookRecorder r = new HookRecorder();
        ProtocolHarness h = new ProtocolHarness(r, b -> b.maxErrors(3)).ready();
        r.onHelo = SmtpRejection.of(400, "4.0.0", "later");
        assertThat(h.cmd("EHLO a")).startsWith("400 4.0.0");
        assertThat(h.metrics.get(Counter.REPLIES_4XX)).isEqualTo(1);
        assertThat(h.session.errorCount()).isEqualTo(1);
        assertThat(r.log).contains("INFO onHelo rejected: 400 4.0.0 later");
        r.onHelo = SmtpRejection.of(500, "5.0.0", "never");
        assertThat(h.cmd("EHLO a")).startsWith("500 5.0.0");
        assertThat(h.metrics.get(Counter.REPLIES_5XX)).isEqualTo(1);
        assertThat(h.metrics.get(Counter.REPLIES_4XX)).isEqualTo(1);
        assertThat(h.session.errorCount()).isEqualTo(2);
        r.onHelo = null;
        assertThat(h.cmd("FOO")).contains("421 4.7.0 Too many errors");
        assertThat(r.log).contains("WARN too many errors (3); closing");
        assertThat(h.metrics.get(Counter.REPLIES_5XX)).isEqualTo(2);
    }

    /** An ignored host is served but its routine events are not logged; warnings still are. */
    @Test
    void quietSessionsLogOnlyWarningsAndErrors() {
        HookRecorder r = new HookRecorder();
        ProtocolHarness h = new ProtocolHarness(r, b -> b.ignoredHosts(HARNESS_CLIENT).maxErrors(2)).ready();
        h.cmd("FOO");
        h.cmd("FOO");
        assertThat(r.log).containsExactly("WARN too many errors (2); closing");
        HookRecorder loud = new HookRecorder();
        new ProtocolHarness(loud, b -> b.ignoredHosts(TrustedSources.parse("192.0.2.1"))).ready();
        assertThat(loud.log).containsExactly("INFO connect from 127.0.0.9:40000"); // a direct client: no "via"
    }

    @Test
    void aSpoolFileThatCannotBeRemovedIsLoggedAndTheSessionGoesOn() {
        HookRecorder r = new HookRecorder();
        ProtocolHarness h = new ProtocolHarness(r, b -> { }).ready();
        h.sinks.closeFailure = new IllegalStateException("EACCES");
        h.cmd("MAIL FROM:<a@b.c>");
        h.cmd("RCPT TO:<x@y.z>");
        h.cmd("DATA");
        assertThat(h.feed("x\r\n.\r\n")).startsWith("250 2.0.0 Ok: queued");
        assertThat(r.log).contains("WARN cannot remove spool file");
        assertThat(h.cmd("NOOP")).startsWith("250");
    }

    @Test
    void abortInTheMiddleOfAMessageReleasesItsContent() {
        ProtocolHarness h = new ProtocolHarness().ready();
        h.cmd("MAIL FROM:<a@b.c>");
        h.cmd("RCPT TO:<x@y.z>");
        h.cmd("DATA");
        h.feed("partial content\r\n");
        h.protocol.abort(Replies.timeout("mx.test"));
        assertThat(h.replies()).startsWith("421 4.4.2");
        assertThat(h.sinks.opened).hasSize(1);
        assertThat(h.sinks.allClosed()).isTrue();
    }

    @Test
    void xclientSetsEveryAttributeItNames() {
        HookRecorder r = new HookRecorder();
        ProtocolHarness h = new ProtocolHarness(r, b -> b.xclientHosts(HARNESS_CLIENT)).ready();
        assertThat(h.cmd("XCLIENT ADDR=192.0.2.44 PORT=5555 HELO=client.example PROTO=SMTP DESTADDR=198.51.100.7 DESTPORT=587"))
                .startsWith("220 mx.test");
        assertThat(h.session.remoteAddress()).isEqualTo(new InetSocketAddress("192.0.2.44", 5555));
        assertThat(h.session.localAddress()).isEqualTo(new InetSocketAddress("198.51.100.7", 587));
        assertThat(h.session.socketRemoteAddress()).isEqualTo(new InetSocketAddress("127.0.0.9", 40000));
        assertThat(h.session.socketLocalAddress()).isEqualTo(new InetSocketAddress("127.0.0.1", 25));
        assertThat(h.session.connectedAt()).isEqualTo(java.time.Instant.EPOCH);
        assertThat(h.session.heloName()).isEqualTo("client.example");
        assertThat(h.session.isEsmtp()).isFalse();
        assertThat(h.session.remoteHostName()).isEmpty();
        assertThat(h.session.authenticatedUser()).isEmpty();
        assertThat(r.log).contains("INFO XCLIENT from /127.0.0.9:40000: client is now /192.0.2.44:5555");

        ProtocolHarness esmtp = new ProtocolHarness(new HookRecorder(), b -> b.xclientHosts(HARNESS_CLIENT)).ready();
        esmtp.cmd("XCLIENT PROTO=ESMTP NAME=[UNAVAILABLE]");
        assertThat(esmtp.session.isEsmtp()).isTrue();
        assertThat(esmtp.session.remoteAddress()).isEqualTo(new InetSocketAddress("127.0.0.9", 40000)); // ADDR not named
        assertThat(esmtp.session.remoteHostName()).isEmpty();
        assertThat(esmtp.session.heloName()).isEqualTo("client.test"); // HELO not named: kept
    }

    @Test
    void xforwardPortAndEmptyValues() {
        ProtocolHarness h = new ProtocolHarness(new HookRecorder(), b -> b.xforwardHosts(HARNESS_CLIENT)).ready();
        assertThat(h.cmd("XFORWARD PORT=4711 IDENT=[UNAVAILABLE] SOURCE=REMOTE")).startsWith("250");
        assertThat(h.session.xforward()).containsEntry("PORT", "4711").containsEntry("IDENT", "").containsEntry("SOURCE", "REMOTE");
        h.cmd("RSET");
        assertThat(h.cmd("XFORWARD PORT=[TEMPUNAVAIL]")).startsWith("250");
        assertThat(h.session.xforward()).containsEntry("PORT", "");
    }

    @Test
    void theLogSaysHowTlsBegan() {
        HookRecorder r = new HookRecorder();
        ProtocolHarness h = new ProtocolHarness(r, b -> b.tls(TlsConfig.selfSigned("mx.test").build())).ready();
        h.cmd("STARTTLS");
        h.protocol.tlsEstablished(STARTTLS);
        assertThat(r.log).contains("INFO STARTTLS: TLSv1.3 with cipher TLS_AES_128_GCM_SHA256");
        HookRecorder implicit = new HookRecorder();
        ProtocolHarness i = new ProtocolHarness(implicit, b -> b.tls(TlsConfig.selfSigned("mx.test").build()));
        i.protocol.tlsEstablished(new TlsInfo("TLSv1.3", "TLS_AES_256_GCM_SHA384", List.of(), null, true));
        assertThat(implicit.log).contains("INFO TLS: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384");
    }

    @Test
    void helpNamesWhatThisConfigurationAccepts() {
        assertThat(new ProtocolHarness().ready().cmd("HELP"))
                .isEqualTo("214 2.0.0 Commands: HELO EHLO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP\r\n");
        assertThat(new ProtocolHarness(new HookRecorder(), b -> b.tls(TlsConfig.selfSigned("mx.test").build())
                .auth(AuthConfig.of(AuthMechanism.PLAIN))).ready().cmd("HELP"))
                .isEqualTo("214 2.0.0 Commands: HELO EHLO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS AUTH\r\n");
    }
}
