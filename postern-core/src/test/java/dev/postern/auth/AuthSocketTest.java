package dev.postern.auth;

import dev.postern.ReceivedMessage;
import dev.postern.ServerMetrics.Counter;
import dev.postern.SmtpHandler;
import dev.postern.SmtpRejection;
import dev.postern.SmtpSession;
import dev.postern.testing.AngusMail;
import dev.postern.testing.ExternalTool;
import dev.postern.testing.Swaks;
import dev.postern.testing.TestServer;
import dev.postern.testing.TestServers;
import dev.postern.testing.TestTls;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** AUTH over STARTTLS with real clients: Angus Mail (PLAIN, LOGIN, XOAUTH2) and swaks (PLAIN, LOGIN, CRAM-MD5). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AuthSocketTest {

    /** alice / s3cret (token "good-token"); records who each accepted message was submitted by. */
    static final class Users implements SmtpHandler {
        final BlockingQueue<String> submittedBy = new LinkedBlockingQueue<>();

        @Override
        public String onAuth(SmtpSession session, Credentials c) {
            boolean ok = switch (c) {
                case Credentials.Password p -> p.username().equals("alice") && p.password().equals("s3cret");
                case Credentials.CramMd5 cram -> cram.username().equals("alice") && cram.verify("s3cret");
                case Credentials.BearerToken t -> t.username().equals("alice") && t.token().equals("good-token");
            };
            if (!ok) {
                throw SmtpRejection.of(535, "5.7.8", "Authentication credentials invalid");
            }
            return null;
        }

        @Override
        public void onMessage(SmtpSession session, ReceivedMessage message) throws Exception {
            submittedBy.add(session.authenticatedUser().orElse("-") + " via " + session.tls().map(t -> t.protocol()).orElse("clear")
                    + " " + new String(message.readAllBytes(), StandardCharsets.UTF_8).contains("Subject: authenticated"));
        }
    }

    @RegisterExtension
    final TestServers servers = new TestServers();
    private final Users users = new Users();
    private TestServer server;

    private void start() throws Exception {
        server = servers.start(users, c -> c
                .tls(TestTls.serverTls().build())
                .auth(AuthConfig.of(AuthMechanism.PLAIN, AuthMechanism.LOGIN, AuthMechanism.CRAM_MD5,
                        AuthMechanism.XOAUTH2).andRequired()));
    }

    private void sendWithAngus(String mechanism, String user, String secret) throws Exception {
        Properties p = AngusMail.settings("smtp", server.port());
        p.put("mail.smtp.starttls.enable", "true");
        p.put("mail.smtp.starttls.required", "true");
        p.put("mail.smtp.ssl.trust", "*");
        p.put("mail.smtp.auth", "true");
        p.put("mail.smtp.auth.mechanisms", mechanism);
        Session session = Session.getInstance(p);
        MimeMessage m = AngusMail.message(session, "alice@example.org", "bob@example.net", "authenticated", "hello\r\n");
        try (Transport t = session.getTransport("smtp")) {
            t.connect(user, secret);
            t.sendMessage(m, m.getAllRecipients());
        }
    }

    @ParameterizedTest(name = "Angus Mail {0}")
    @ValueSource(strings = {"PLAIN", "LOGIN", "XOAUTH2"})
    void angusMailAuthenticates(String mechanism) throws Exception {
        start();
        sendWithAngus(mechanism, "alice", mechanism.equals("XOAUTH2") ? "good-token" : "s3cret");
        assertThat(users.submittedBy.poll(10, TimeUnit.SECONDS)).isEqualTo("alice via TLSv1.3 true");
        assertThatThrownBy(() -> sendWithAngus(mechanism, "alice", "wrong")).isInstanceOf(AuthenticationFailedException.class);
        assertThat(users.submittedBy).isEmpty();
        assertThat(server.metrics().get(Counter.AUTH_SUCCESSES)).isEqualTo(1);
        assertThat(server.metrics().get(Counter.AUTH_FAILURES)).isEqualTo(1);
        assertThat(server.metrics().get(Counter.TLS_HANDSHAKES)).isEqualTo(2);
    }

    @ParameterizedTest(name = "swaks {0}")
    @ValueSource(strings = {"PLAIN", "LOGIN", "CRAM-MD5"})
    void swaksAuthenticates(String mechanism) throws Exception {
        start();
        ExternalTool.Result r = Swaks.run(server.port(), "--tls", "--auth", mechanism, "--auth-user", "alice",
                "--auth-password", "s3cret", "--from", "alice@example.org", "--to", "bob@example.net",
                "--header", "Subject: authenticated");
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("<~  235 2.7.0 Authentication successful");
        assertThat(users.submittedBy.poll(10, TimeUnit.SECONDS)).isEqualTo("alice via TLSv1.3 true");
    }
}
