package dev.postern.protocol;

import dev.postern.SmtpSession;
import dev.postern.SmtpHandler;
import dev.postern.SmtpRejection;
import dev.postern.tls.StartTlsMode;
import dev.postern.tls.TlsConfig;
import dev.postern.tls.TlsInfo;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.postern.protocol.ProtocolHarness.codes;
import static org.assertj.core.api.Assertions.assertThat;

/** STARTTLS in the state machine (RFC 3207), without a socket: the transport's part is faked. */
class StartTlsCommandTest {

    private static final TlsConfig TLS = TlsConfig.selfSigned("mx.test").build();
    private static final TlsInfo INFO = new TlsInfo("TLSv1.3", "TLS_AES_128_GCM_SHA256", List.of(), "mx.test", false);

    private static ProtocolHarness withTls(StartTlsMode mode) {
        return new ProtocolHarness(new SmtpHandler() { }, b -> b.tls(TLS).startTls(mode));
    }

    @Test
    void startTlsIsAdvertisedOnlyWhenTlsIsConfiguredAndNotYetActive() {
        assertThat(new ProtocolHarness().ready().cmd("EHLO c")).doesNotContain("STARTTLS");
        assertThat(withTls(StartTlsMode.OFF).ready().cmd("EHLO c")).doesNotContain("STARTTLS");
        ProtocolHarness h = withTls(StartTlsMode.OPTIONAL).ready();
        assertThat(h.cmd("EHLO c")).contains("250 STARTTLS\r\n");
        assertThat(h.cmd("HELP")).contains("STARTTLS");
        h.cmd("STARTTLS");
        h.protocol.tlsEstablished(INFO);
        assertThat(h.cmd("EHLO c")).doesNotContain("STARTTLS");
    }

    @Test
    void startTlsAnswers220AndAsksTheTransportOnce() {
        ProtocolHarness h = withTls(StartTlsMode.OPTIONAL).ready();
        assertThat(h.cmd("STARTTLS")).isEqualTo("220 2.0.0 Ready to start TLS\r\n");
        assertThat(h.startTlsCalls).isEqualTo(1);
        assertThat(h.protocol.isClosed()).isFalse();
    }

    @Test
    void commandsPipelinedInClearAfterStartTlsAreDiscarded() {
        // CVE-2011-0411: a man in the middle appends commands to the STARTTLS packet; they must not run.
        ProtocolHarness h = withTls(StartTlsMode.OPTIONAL).ready();
        String replies = h.feed("STARTTLS\r\nMAIL FROM:<evil@x.test>\r\nRSET\r\n");
        assertThat(codes(replies)).containsExactly(220);
        assertThat(h.feed("RCPT TO:<a@b.test>\r\n")).isEmpty(); // still clear text, handshake not done
        h.protocol.tlsEstablished(INFO);
        assertThat(h.session.envelope()).isNull();
        assertThat(codes(h.cmd("RSET"))).containsExactly(250);
    }

    @Test
    void afterTheHandshakeTheClientMustSayEhloAgain() {
        ProtocolHarness h = withTls(StartTlsMode.OPTIONAL).ready();
        h.cmd("STARTTLS");
        h.protocol.tlsEstablished(INFO);
        assertThat(h.session.isSecure()).isTrue();
        assertThat(h.session.tls()).contains(INFO);
        assertThat(h.session.heloName()).isNull();
        assertThat(h.cmd("MAIL FROM:<a@b.test>")).startsWith("503 5.5.1");
        assertThat(codes(h.cmd("EHLO c"))).containsExactly(250);
        assertThat(codes(h.cmd("MAIL FROM:<a@b.test>"))).containsExactly(250);
    }

    @Test
    void refusals() {
        assertThat(new ProtocolHarness().ready().cmd("STARTTLS")).startsWith("502 5.5.1");
        assertThat(withTls(StartTlsMode.OFF).ready().cmd("STARTTLS")).startsWith("502 5.5.1");
        ProtocolHarness h = withTls(StartTlsMode.OPTIONAL).ready();
        assertThat(h.cmd("STARTTLS now")).startsWith("501 5.5.4");
        h.cmd("MAIL FROM:<a@b.test>");
        assertThat(h.cmd("STARTTLS")).startsWith("503 5.5.1");
        h.cmd("RSET");
        h.cmd("STARTTLS");
        h.protocol.tlsEstablished(INFO);
        h.cmd("EHLO c");
        assertThat(h.cmd("STARTTLS")).startsWith("503 5.5.1 Error: TLS already active");
        assertThat(h.startTlsCalls).isEqualTo(1);
    }

    @Test
    void requiredTlsRefusesMailInClear() {
        ProtocolHarness h = withTls(StartTlsMode.REQUIRED).ready();
        assertThat(h.cmd("MAIL FROM:<a@b.test>")).isEqualTo("530 5.7.0 Must issue a STARTTLS command first\r\n");
        assertThat(codes(h.cmd("NOOP"))).containsExactly(250);
        h.cmd("STARTTLS");
        h.protocol.tlsEstablished(INFO);
        h.cmd("EHLO c");
        assertThat(codes(h.cmd("MAIL FROM:<a@b.test>"))).containsExactly(250);
    }

    @Test
    void implicitTlsSessionsSatisfyRequiredTls() {
        ProtocolHarness h = withTls(StartTlsMode.REQUIRED);
        h.protocol.tlsEstablished(new TlsInfo("TLSv1.3", "TLS_AES_128_GCM_SHA256", List.of(), null, true));
        h.connect();
        h.cmd("EHLO c");
        assertThat(codes(h.cmd("MAIL FROM:<a@b.test>"))).containsExactly(250);
    }

    @Test
    void onSecureCanRefuseTheClient() {
        ProtocolHarness h = new ProtocolHarness(new SmtpHandler() {
            @Override
            public void onSecure(SmtpSession session) {
                if (session.tls().orElseThrow().peerCertificates().isEmpty()) {
                    throw SmtpRejection.of(530, "5.7.0", "Client certificate required");
                }
            }
        }, b -> b.tls(TLS));
        h.ready();
        h.cmd("STARTTLS");
        h.protocol.tlsEstablished(INFO);
        assertThat(h.replies()).isEqualTo("530 5.7.0 Client certificate required\r\n");
        assertThat(h.protocol.isClosed()).isTrue();
        assertThat(h.feed("EHLO c\r\n")).isEmpty(); // nothing more is read
    }

    @Test
    void onSecureFailingOtherwiseIs421AndCloses() {
        List<String> log = new java.util.ArrayList<>();
        ProtocolHarness h = new ProtocolHarness(new SmtpHandler() {
            @Override
            public void onSecure(SmtpSession session) {
                throw new IllegalStateException("certificate store down");
            }

            @Override
            public void onLogEvent(SmtpSession session, dev.postern.LogLevel level, String message, Throwable error) {
                log.add(level + " " + message + (error == null ? "" : " " + error.getMessage()));
            }
        }, b -> b.tls(TLS));
        h.ready();
        h.cmd("STARTTLS");
        h.protocol.tlsEstablished(INFO);
        assertThat(h.replies()).isEqualTo("421 4.3.0 Error: local problem; closing connection\r\n");
        assertThat(h.protocol.isClosed()).isTrue();
        assertThat(h.session.isSecure()).isTrue();
        assertThat(log).contains("ERROR onSecure failed certificate store down");
    }

    @Test
    void aHandshakeDoneAfterTheSessionClosedRunsNoHook() {
        List<String> secured = new java.util.ArrayList<>();
        ProtocolHarness h = new ProtocolHarness(new SmtpHandler() {
            @Override
            public void onSecure(SmtpSession session) {
                secured.add(session.id());
            }
        }, b -> b.tls(TLS));
        h.ready();
        h.cmd("STARTTLS");
        h.protocol.abort(dev.postern.SmtpReply.of(421, "4.4.2", "timeout"));
        h.replies();
        h.protocol.tlsEstablished(INFO);
        assertThat(secured).isEmpty();
        assertThat(h.session.isSecure()).isFalse();
        assertThat(h.replies()).isEmpty();
    }

    @Test
    void requiredStartTlsWithoutACertificateIsAConfigurationError() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> withTlsMissing())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no TLS certificate");
    }

    private static void withTlsMissing() {
        dev.postern.SmtpServerConfig.builder().hostname("mx.test").startTls(StartTlsMode.REQUIRED).build();
    }
}
