package dev.postern.examples.signup;

import dev.postern.examples.signup.WelcomeMailer.Outcome;
import dev.postern.junit.PosternExtension;
import dev.postern.junit.ReceivedMail;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The application's mail code against a real SMTP server, started by the Postern JUnit extension. */
class WelcomeMailerTest {

    /** One server for the class (a static field); its messages are cleared before each test. */
    @RegisterExtension
    static final PosternExtension smtp = PosternExtension.builder()
            .rejectRecipient("typo@example.org", 550, "5.1.1", "No such user")
            .rejectRecipients(address -> address.endsWith("@busy.example.org"), 451, "4.3.0", "Try again later")
            .build();

    private final WelcomeMailer mailer = new WelcomeMailer("127.0.0.1", smtp.port(), "welcome@app.example");

    @Test
    void aNewUserGetsOneWelcomeMessage() throws Exception {
        assertThat(mailer.welcome("alice@example.org", "Alice")).isEqualTo(Outcome.SENT);

        ReceivedMail mail = smtp.awaitMessages(1, Duration.ofSeconds(10)).getFirst();
        assertThat(mail.sender()).isEqualTo("welcome@app.example");
        assertThat(mail.recipients()).containsExactly("alice@example.org");
        assertThat(mail.subject()).isEqualTo("Welcome, Alice!");
        assertThat(mail.mimeMessage().getContent()).asString().contains("your account is ready");
    }

    @Test
    void aRefusedAddressIsReportedAsBad() throws Exception {
        assertThat(mailer.welcome("typo@example.org", "Typo")).isEqualTo(Outcome.BAD_ADDRESS);
        assertThat(smtp.receivedMessages()).isEmpty();
    }

    @Test
    void aTemporaryFailureIsReportedForRetry() throws Exception {
        assertThat(mailer.welcome("carol@busy.example.org", "Carol")).isEqualTo(Outcome.RETRY_LATER);
        assertThat(smtp.receivedMessages()).isEmpty();
    }
}
