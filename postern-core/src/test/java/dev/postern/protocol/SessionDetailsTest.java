package dev.postern.protocol;

import dev.postern.MailParameters;
import dev.postern.ReceivedMessage;
import dev.postern.ReversePath;
import dev.postern.SmtpHandler;
import dev.postern.SmtpRejection;
import dev.postern.SmtpSession;
import dev.postern.auth.AuthConfig;
import dev.postern.auth.AuthMechanism;
import dev.postern.auth.Authentication;
import dev.postern.auth.Credentials;
import dev.postern.proxy.TrustedSources;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The session details hooks see: authentication, transaction id, completion time, client host name. */
class SessionDetailsTest {

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void authenticationRecordsMechanismIdentitiesAndTime() {
        SmtpHandler h = new SmtpHandler() {
            @Override
            public String onAuth(SmtpSession s, Credentials c) {
                if (!c.username().equals("alice")) {
                    throw SmtpRejection.of(535, "5.7.8", "no");
                }
                return "alice@example.org";
            }
        };
        ProtocolHarness p = new ProtocolHarness(h, b -> b.auth(AuthConfig.of(AuthMechanism.PLAIN, AuthMechanism.LOGIN)
                .andAllowPlaintext()).xclientHosts(TrustedSources.parse("127.0.0.0/8"))).ready();
        p.advance(Duration.ofSeconds(42));
        assertThat(p.cmd("AUTH PLAIN " + b64("\0bob\0pw"))).startsWith("535");
        assertThat(p.session.authentication()).isEmpty();
        assertThat(p.cmd("AUTH LOGIN " + b64("alice"))).startsWith("334");
        assertThat(p.cmd(b64("pw"))).startsWith("235");
        assertThat(p.session.authentication()).contains(
                new Authentication(AuthMechanism.LOGIN, "alice", "alice@example.org", Instant.EPOCH.plusSeconds(42)));
        assertThat(p.session.authenticatedUser()).contains("alice@example.org");
        // XCLIENT LOGIN names a user the server did not authenticate: no Authentication
        assertThat(p.cmd("XCLIENT LOGIN=carol")).startsWith("220");
        assertThat(p.session.authenticatedUser()).contains("carol");
        assertThat(p.session.authentication()).isEmpty();
    }

    /** The transaction's id, from MAIL FROM on; the message keeps it; RSET and refusals use one up. */
    @Test
    void transactionIdFromMailFromIsTheMessageId() {
        List<String> seenAtMail = new ArrayList<>();
        List<String> messageIds = new ArrayList<>();
        List<Duration> took = new ArrayList<>();
        SmtpHandler h = new SmtpHandler() {
            @Override
            public ReversePath onMailFrom(SmtpSession s, ReversePath from, MailParameters p) {
                seenAtMail.add(s.transactionId().orElse("-"));
                if (from.address().startsWith("refused")) {
                    throw SmtpRejection.of(550, "5.7.1", "no");
                }
                return from;
            }

            @Override
            public void onMessage(SmtpSession s, ReceivedMessage m) {
                messageIds.add(m.id() + " " + s.transactionId().orElse("-"));
                took.add(Duration.between(m.receivedAt(), m.completedAt()));
            }
        };
        ProtocolHarness p = new ProtocolHarness(h).ready();
        assertThat(p.session.transactionId()).isEmpty();
        p.cmd("MAIL FROM:<a@b.test>");
        assertThat(p.session.transactionId()).contains("TEST1.1");
        p.cmd("RSET");
        assertThat(p.session.transactionId()).isEmpty();
        assertThat(p.cmd("MAIL FROM:<refused@b.test>")).startsWith("550");
        assertThat(p.session.transactionId()).isEmpty();
        p.cmd("MAIL FROM:<a@b.test>");
        p.cmd("RCPT TO:<c@d.test>");
        p.cmd("DATA");
        p.feed("Subject: x\r\n\r\nbody\r\n");
        p.advance(Duration.ofSeconds(7));
        assertThat(p.feed(".\r\n")).isEqualTo("250 2.0.0 Ok: queued as TEST1.3\r\n");
        assertThat(seenAtMail).containsExactly("TEST1.1", "TEST1.2", "TEST1.3");
        assertThat(messageIds).containsExactly("TEST1.3 TEST1.3");
        assertThat(took).containsExactly(Duration.ofSeconds(7));
        assertThat(p.session.transactionId()).isEmpty();
    }

    @Test
    void clientHostnameIsTheNameOrAnAddressLiteral() {
        ProtocolHarness p = new ProtocolHarness();
        assertThat(p.session.clientHostname()).isEqualTo("[127.0.0.9]");
        p.session.setRemoteHostName("client.example.org");
        assertThat(p.session.clientHostname()).isEqualTo("client.example.org");
        assertThat(p.session.remoteHostName()).contains("client.example.org");
        assertThatThrownBy(() -> p.session.setRemoteHostName("bad name")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> p.session.setRemoteHostName("x\r\n")).isInstanceOf(IllegalArgumentException.class);
        p.session.setRemoteHostName(null);
        assertThat(p.session.remoteHostName()).isEmpty();

        SessionState v6 = new SessionState("S", new InetSocketAddress("::1", 25),
                new InetSocketAddress("2001:db8::7", 4000), Instant.EPOCH, "g", "mx");
        assertThat(v6.clientHostname()).isEqualTo("[IPv6:2001:db8:0:0:0:0:0:7]");
        assertThat(v6.listener()).isNull();
        assertThat(v6.serverHostname()).isEqualTo("mx");
    }
}
