package dev.postern.junit;

import dev.postern.SmtpHandler;
import dev.postern.SmtpServer;
import dev.postern.SmtpSession;
import dev.postern.tls.StartTlsMode;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The extension as a test uses it, with Angus Mail as the code under test would send. */
class PosternExtensionTest {

    @RegisterExtension
    static final PosternExtension smtp = PosternExtension.create();

    @Test
    void aMessageSentWithAngusMailArrivesWithItsEnvelopeContentAndSubject() throws Exception {
        Mail.send(smtp, "app@example.org", "Grüße aus Köln", "Hello Alice\n", "alice@example.org", "bob@example.org");

        List<ReceivedMail> mails = smtp.awaitMessages(1, Duration.ofSeconds(10));

        assertThat(mails).hasSize(1);
        ReceivedMail mail = mails.getFirst();
        assertThat(mail.sender()).isEqualTo("app@example.org");
        assertThat(mail.recipients()).containsExactly("alice@example.org", "bob@example.org");
        assertThat(mail.envelope().recipients()).hasSize(2);
        assertThat(mail.subject()).isEqualTo("Grüße aus Köln");
        assertThat(mail.header("Subject")).get().asString().startsWith("=?UTF-8?");
        assertThat(mail.contentAsString()).contains("\r\n\r\nHello Alice\r\n").doesNotEndWith(".\r\n");
        assertThat(mail.id()).isNotBlank();
        MimeMessage mime = mail.mimeMessage();
        assertThat(mime.getSubject()).isEqualTo("Grüße aus Köln");
        assertThat(mime.getContent()).isEqualTo("Hello Alice\r\n");
        assertThat(smtp.receivedMessages()).containsExactlyElementsOf(mails);
    }

    @Test
    void contentIsTheExactOctetsAndACopy() throws Exception {
        try (Socket s = new Socket(smtp.host(), smtp.port())) {
            var out = s.getOutputStream();
            out.write(("EHLO client\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n"
                    + "Subject: raw\r\n\r\n..dot-stuffed\r\nbody\r\n.\r\nQUIT\r\n").getBytes());
            out.flush();
            s.getInputStream().readAllBytes();
        }
        ReceivedMail mail = smtp.awaitMessages(1, Duration.ofSeconds(10)).getFirst();
        assertThat(new String(mail.content())).isEqualTo("Subject: raw\r\n\r\n.dot-stuffed\r\nbody\r\n");
        mail.content()[0] = 'X';
        assertThat(mail.content()[0]).isEqualTo((byte) 'S');
        assertThat(mail.subject()).isEqualTo("raw");
    }

    @Test
    void aServerPerClassStartsEachTestWithNoMessages() {
        // runs after or before the tests above in any order: reset() happens before each test
        assertThat(smtp.receivedMessages()).isEmpty();
    }

    @Test
    void awaitReturnsAsSoonAsTheMessagesArriveFromAnotherThread() throws Exception {
        CompletableFuture<List<ReceivedMail>> waiting = CompletableFuture.supplyAsync(() -> smtp.awaitMessages(2, Duration.ofSeconds(30)));
        Mail.send(smtp, "a@example.org", "one", "1", "x@example.org");
        Mail.send(smtp, "a@example.org", "two", "2", "x@example.org");
        assertThat(waiting.get()).extracting(ReceivedMail::subject).containsExactly("one", "two");
    }

    @Test
    void awaitFailsWithWhatArrivedWhenTooFewCameInTime() throws Exception {
        Mail.send(smtp, "a@example.org", "only one", "1", "x@example.org");
        smtp.awaitMessages(1, Duration.ofSeconds(10));
        assertThatThrownBy(() -> smtp.awaitMessages(2, Duration.ofMillis(50)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("expected 2 message(s)").hasMessageContaining("got 1");
        assertThat(smtp.awaitMessages(0, Duration.ZERO)).hasSize(1);
        assertThatThrownBy(() -> smtp.awaitMessages(-1, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void resetForgetsTheMessages() throws Exception {
        Mail.send(smtp, "a@example.org", "s", "1", "x@example.org");
        smtp.awaitMessages(1, Duration.ofSeconds(10));
        smtp.reset();
        assertThat(smtp.receivedMessages()).isEmpty();
    }

    @Test
    void withoutTlsTheTrustHelpersSaySo() {
        assertThatThrownBy(smtp::clientSslContext).isInstanceOf(IllegalStateException.class).hasMessageContaining("withTls()");
    }

    // ---- servers of their own, one per test (instance fields of nested holders) ----

    @Test
    void usersLogInWithAuthAndOthersAreRefused() throws Exception {
        PosternExtension auth = started(PosternExtension.builder().withUser("alice", "secret"));
        try {
            Session session = Mail.session(auth, p -> p.put("mail.smtp.auth", "true"));
            try (Transport t = session.getTransport("smtp")) {
                t.connect("alice", "secret");
                MimeMessage m = Mail.message(session, "alice@example.org", "authed", "hi", "bob@example.org");
                t.sendMessage(m, m.getAllRecipients());
            }
            assertThat(auth.awaitMessages(1, Duration.ofSeconds(10)).getFirst().subject()).isEqualTo("authed");

            try (Transport t = session.getTransport("smtp")) {
                assertThatThrownBy(() -> t.connect("alice", "wrong")).isInstanceOf(AuthenticationFailedException.class)
                        .hasMessageContaining("535");
            }
        } finally {
            stop(auth);
        }
    }

    @Test
    void withTlsAClientTrustingTheTestCertificateSendsOverStartTls() throws Exception {
        AtomicBoolean secured = new AtomicBoolean();
        PosternExtension tls = started(PosternExtension.builder().withTls(StartTlsMode.REQUIRED).handler(new SmtpHandler() {
            @Override
            public void onSecure(SmtpSession session) {
                secured.set(true);
            }
        }));
        try {
            Session session = Mail.session(tls, p -> {
                p.put("mail.smtp.starttls.enable", "true");
                p.put("mail.smtp.starttls.required", "true");
                p.put("mail.smtp.ssl.checkserveridentity", "true");
                p.put("mail.smtp.ssl.socketFactory", tls.clientSocketFactory());
            });
            Transport.send(Mail.message(session, "a@example.org", "secret", "over TLS", "b@example.org"));
            assertThat(tls.awaitMessages(1, Duration.ofSeconds(10)).getFirst().subject()).isEqualTo("secret");
            assertThat(secured).isTrue();
            assertThat(tls.certificate().getSubjectX500Principal().getName()).contains("CN=localhost");
            assertThat(tls.trustStore().getCertificate("postern-test-server")).isEqualTo(tls.certificate());

            // without the trust helper the JDK's default trust refuses the generated certificate
            Session untrusting = Mail.session(tls, p -> {
                p.put("mail.smtp.starttls.enable", "true");
                p.put("mail.smtp.starttls.required", "true");
            });
            assertThatThrownBy(() -> Transport.send(Mail.message(untrusting, "a@example.org", "x", "x", "b@example.org")))
                    .isInstanceOf(MessagingException.class);
        } finally {
            stop(tls);
        }
    }

    @Test
    void aRejectedRecipientGetsTheConfiguredReplyAndNothingIsKept() throws Exception {
        PosternExtension rejecting = started(PosternExtension.builder()
                .rejectRecipient("bob@example.org", 550, "5.1.1", "no such user")
                .rejectRecipients(a -> a.endsWith("@busy.example"), 450, "4.2.1", "try later"));
        try {
            assertThatThrownBy(() -> Mail.send(rejecting, "a@example.org", "s", "t", "alice@example.org", "BOB@example.org"))
                    .isInstanceOfSatisfying(SendFailedException.class, e -> assertThat(e.getInvalidAddresses())
                            .extracting(Object::toString).containsExactly("BOB@example.org"))
                    .hasMessageContaining("Invalid Addresses");
            assertThatThrownBy(() -> Mail.send(rejecting, "a@example.org", "s", "t", "c@busy.example"))
                    .isInstanceOf(SendFailedException.class)
                    .satisfies(e -> assertThat(String.valueOf(e.getCause()) + e.getMessage()
                            + ((SendFailedException) e).getNextException()).contains("450"));
            assertThat(rejecting.receivedMessages()).isEmpty();
            Mail.send(rejecting, "a@example.org", "fine", "t", "alice@example.org");
            assertThat(rejecting.awaitMessages(1, Duration.ofSeconds(10))).extracting(ReceivedMail::subject).containsExactly("fine");
        } finally {
            stop(rejecting);
        }
    }

    @Test
    void aRejectedMessageGetsTheConfiguredReplyAndIsNotKept() throws Exception {
        PosternExtension rejecting = started(PosternExtension.builder()
                .rejectMessages(m -> "spam".equals(m.subject()), 554, "5.6.0", "content refused"));
        try {
            assertThatThrownBy(() -> Mail.send(rejecting, "a@example.org", "spam", "t", "b@example.org"))
                    .isInstanceOf(MessagingException.class).hasMessageContaining("554");
            Mail.send(rejecting, "a@example.org", "ham", "t", "b@example.org");
            assertThat(rejecting.awaitMessages(1, Duration.ofSeconds(10))).extracting(ReceivedMail::subject).containsExactly("ham");
        } finally {
            stop(rejecting);
        }
    }

    @Test
    void theTestsHandlerRunsAfterTheRulesAndItsRejectionsKeepNothing() throws Exception {
        PosternExtension custom = started(PosternExtension.builder()
                .configure(c -> c.maxRecipients(1))
                .handler(new SmtpHandler() {
                    @Override
                    public void onMessage(SmtpSession session, dev.postern.ReceivedMessage message) {
                        throw dev.postern.SmtpRejection.of(452, "4.3.1", "mailbox full");
                    }
                }));
        try {
            assertThat(custom.server().config().maxRecipients()).isEqualTo(1);
            assertThat(custom.host()).isEqualTo("127.0.0.1");
            assertThatThrownBy(() -> Mail.send(custom, "a@example.org", "s", "t", "b@example.org"))
                    .isInstanceOf(MessagingException.class).hasMessageContaining("452");
            assertThat(custom.receivedMessages()).isEmpty();
        } finally {
            stop(custom);
        }
    }

    @Test
    void outsideItsLifecycleTheExtensionSaysHowToRegisterIt() {
        PosternExtension unregistered = PosternExtension.create();
        assertThatThrownBy(unregistered::port).isInstanceOf(IllegalStateException.class).hasMessageContaining("@RegisterExtension");
    }

    @Test
    void afterItsTestAPerTestServerIsStopped() throws Exception {
        PosternExtension own = started(PosternExtension.builder());
        int port = own.port();
        SmtpServer server = own.server();
        stop(own);
        assertThat(server.boundAddresses()).isEmpty();
        // The port is free again; another process on this machine may take it at once, so a connection that
        // succeeds must at least not reach a Postern greeting.
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(500);
            byte[] greeting = new byte[64];
            int n;
            try {
                n = socket.getInputStream().read(greeting);
            } catch (java.net.SocketTimeoutException | java.net.SocketException quietOrReset) {
                n = -1; // whatever took the port is not a Postern greeting us
            }
            assertThat(n <= 0 ? "" : new String(greeting, 0, n, java.nio.charset.StandardCharsets.US_ASCII))
                    .doesNotContain("ESMTP Postern");
        } catch (ConnectException refused) {
            // what normally happens
        }
    }

    /** Drives the per-test lifecycle by hand, as JUnit does for an instance field. */
    private static PosternExtension started(PosternExtension.Builder builder) throws IOException {
        PosternExtension e = builder.build();
        e.beforeEach(null);
        return e;
    }

    private static void stop(PosternExtension e) {
        e.afterEach(null);
    }
}
