package dev.postern.relay.client.protocol;

import dev.postern.relay.client.RelayTimeouts;
import dev.postern.relay.client.TlsMode;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SessionOpenerTest {

    private static final String EHLO_TLS = "250-mx.example.org\n250-PIPELINING\n250 STARTTLS";
    private static final String EHLO_AUTH = "250-mx.example.org\n250-PIPELINING\n250 AUTH LOGIN PLAIN";

    private static SessionSettings settings(TlsMode tls) {
        return new SessionSettings("client.example.org", false, tls, null, null, RelayTimeouts.DEFAULTS);
    }

    private static SessionSettings auth(TlsMode tls) {
        return new SessionSettings("client.example.org", false, tls, "user", "pass", RelayTimeouts.DEFAULTS);
    }

    private static Capabilities open(ScriptedWire wire, SessionSettings s) throws Exception {
        return SessionOpener.open(wire, s, Deadline.in(Duration.ofMinutes(1)));
    }

    @Test
    void ehloCapabilities() throws Exception {
        ScriptedWire wire = new ScriptedWire("220 mx ESMTP", "250-mx\n250-PIPELINING\n250 SIZE 1000");
        Capabilities caps = open(wire, settings(TlsMode.NONE));
        assertThat(caps.pipelining()).isTrue();
        assertThat(caps.maxSize()).hasValue(1000);
        assertThat(wire.commands).containsExactly("EHLO client.example.org");
    }

    @Test
    void greetingOtherThan220FailsTheHost() {
        ScriptedWire wire = new ScriptedWire("554 5.7.1 no service for you");
        assertThatThrownBy(() -> open(wire, settings(TlsMode.NONE))).isInstanceOf(HostFailure.class)
                .satisfies(e -> assertThat(((HostFailure) e).reply().code()).isEqualTo(554));
        assertThat(wire.commands).isEmpty();
    }

    @Test
    void heloWhenEhloIsRefusedWith5xx() throws Exception {
        ScriptedWire wire = new ScriptedWire("220 old", "502 5.5.2 what?", "250 old");
        assertThat(open(wire, settings(TlsMode.OPPORTUNISTIC))).isEqualTo(Capabilities.NONE);
        assertThat(wire.commands).containsExactly("EHLO client.example.org", "HELO client.example.org");
    }

    @Test
    void ehlo4xxIsNotAReasonForHelo() {
        ScriptedWire wire = new ScriptedWire("220 x", "421 4.3.2 shutting down");
        assertThatThrownBy(() -> open(wire, settings(TlsMode.NONE))).isInstanceOf(HostFailure.class);
        assertThat(wire.commands).containsExactly("EHLO client.example.org");
    }

    @Test
    void heloRefusedToo() {
        ScriptedWire wire = new ScriptedWire("220 x", "500 no", "550 not you either");
        assertThatThrownBy(() -> open(wire, settings(TlsMode.NONE))).hasMessageContaining("550 not you either");
    }

    @Test
    void lmtpSaysLhlo() throws Exception {
        ScriptedWire wire = new ScriptedWire("220 lmtp", "250-lmtp\n250 PIPELINING");
        SessionSettings s = new SessionSettings("me", true, TlsMode.NONE, null, null, RelayTimeouts.DEFAULTS);
        assertThat(SessionOpener.open(wire, s, Deadline.in(Duration.ofMinutes(1))).pipelining()).isTrue();
        assertThat(wire.commands).containsExactly("LHLO me");
    }

    @Test
    void opportunisticStartTlsThenEhloAgain() throws Exception {
        ScriptedWire wire = new ScriptedWire("220 x", EHLO_TLS, "220 2.0.0 go ahead", "250-x\n250 SIZE 5");
        Capabilities caps = open(wire, settings(TlsMode.OPPORTUNISTIC));
        assertThat(wire.commands).containsExactly("EHLO client.example.org", "STARTTLS", "<TLS handshake>", "EHLO client.example.org");
        assertThat(wire.secure()).isTrue();
        assertThat(caps.pipelining()).as("the first EHLO's extensions are forgotten (RFC 3207 4.2)").isFalse();
        assertThat(caps.maxSize()).hasValue(5);
    }

    @Test
    void opportunisticGoesOnInClearWithoutStartTlsOr454() throws Exception {
        ScriptedWire none = new ScriptedWire("220 x", "250-x\n250 PIPELINING");
        assertThat(open(none, settings(TlsMode.OPPORTUNISTIC)).pipelining()).isTrue();
        assertThat(none.commands).containsExactly("EHLO client.example.org");

        ScriptedWire refused = new ScriptedWire("220 x", EHLO_TLS, "454 4.7.0 TLS not available");
        assertThat(open(refused, settings(TlsMode.OPPORTUNISTIC)).startTls()).isTrue();
        assertThat(refused.secure()).isFalse();
    }

    @Test
    void requiredFailsWithoutStartTls() {
        ScriptedWire wire = new ScriptedWire("220 x", "250-x\n250 PIPELINING");
        assertThatThrownBy(() -> open(wire, settings(TlsMode.REQUIRED))).isInstanceOf(HostFailure.class)
                .hasMessageContaining("does not offer STARTTLS, and TLS is required (required)");
        ScriptedWire refused = new ScriptedWire("220 x", EHLO_TLS, "454 4.7.0 TLS not available");
        assertThatThrownBy(() -> open(refused, settings(TlsMode.VERIFY))).hasMessageContaining("454 4.7.0 TLS not available");
    }

    @Test
    void failedHandshakeIsAWireFailure() {
        ScriptedWire wire = new ScriptedWire("220 x", EHLO_TLS, "220 go").tlsFails("TLS handshake failed: bad certificate");
        assertThatThrownBy(() -> open(wire, settings(TlsMode.REQUIRED))).isInstanceOf(WireException.class)
                .hasMessageContaining("bad certificate");
    }

    @Test
    void noneNeverStartsTls() throws Exception {
        ScriptedWire wire = new ScriptedWire("220 x", EHLO_TLS);
        open(wire, settings(TlsMode.NONE));
        assertThat(wire.commands).containsExactly("EHLO client.example.org");
    }

    @Test
    void authPlainOverTls() throws Exception {
        ScriptedWire wire = new ScriptedWire("220 x", EHLO_TLS, "220 go", EHLO_AUTH, "235 2.7.0 ok");
        open(wire, auth(TlsMode.REQUIRED));
        // RFC 4616: base64("\0user\0pass")
        assertThat(wire.commands).endsWith("AUTH PLAIN AHVzZXIAcGFzcw==");
    }

    @Test
    void authLoginWhenPlainIsMissing() throws Exception {
        ScriptedWire wire = new ScriptedWire("220 x", EHLO_TLS, "220 go", "250-x\n250 AUTH LOGIN",
                "334 VXNlcm5hbWU6", "334 UGFzc3dvcmQ6", "235 ok");
        open(wire, auth(TlsMode.OPPORTUNISTIC));
        assertThat(wire.commands).endsWith("AUTH LOGIN", "dXNlcg==", "cGFzcw==");
    }

    @Test
    void authRefused() {
        ScriptedWire wire = new ScriptedWire("220 x", EHLO_TLS, "220 go", EHLO_AUTH, "535 5.7.8 bad credentials");
        assertThatThrownBy(() -> open(wire, auth(TlsMode.REQUIRED))).isInstanceOf(HostFailure.class)
                .hasMessageContaining("535 5.7.8 bad credentials");
    }

    @Test
    void credentialsNeverGoInClear() {
        ScriptedWire wire = new ScriptedWire("220 x", EHLO_AUTH);
        assertThatThrownBy(() -> open(wire, auth(TlsMode.OPPORTUNISTIC))).isInstanceOf(HostFailure.class)
                .hasMessageContaining("refusing to send AUTH credentials over a connection without TLS");
        assertThat(wire.commands).containsExactly("EHLO client.example.org");
    }

    @Test
    void noUsableMechanism() {
        ScriptedWire wire = new ScriptedWire("220 x", EHLO_TLS, "220 go", "250-x\n250 AUTH CRAM-MD5");
        assertThatThrownBy(() -> open(wire, auth(TlsMode.REQUIRED))).hasMessageContaining("offers CRAM-MD5");
    }

    @Test
    void closedConnectionAndGarbage() {
        assertThatThrownBy(() -> open(new ScriptedWire(), settings(TlsMode.NONE))).isInstanceOf(WireException.class)
                .hasMessageContaining("the greeting");
        assertThatThrownBy(() -> open(new ScriptedWire("SSH-2.0-OpenSSH_9.2"), settings(TlsMode.NONE)))
                .isInstanceOf(WireException.class).hasMessageContaining("not an SMTP reply line");
    }
}
