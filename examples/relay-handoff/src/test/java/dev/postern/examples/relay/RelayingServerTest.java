package dev.postern.examples.relay;

import dev.postern.junit.PosternExtension;
import dev.postern.junit.ReceivedMail;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class RelayingServerTest {

    /** The smarthost the relay hands mail on to: a Postern test server. */
    @RegisterExtension
    final PosternExtension smarthost = PosternExtension.create();

    @TempDir
    Path queueDirectory;

    @Test
    void aSubmittedMessageIsQueuedDurablyThenDeliveredToTheSmarthost() throws Exception {
        try (RelayingServer relay = RelayingServer.start(queueDirectory, "smtp://127.0.0.1:" + smarthost.port(), 0)) {
            Properties props = new Properties();
            props.put("mail.smtp.host", "127.0.0.1");
            props.put("mail.smtp.port", String.valueOf(relay.port()));
            MimeMessage m = new MimeMessage(Session.getInstance(props));
            m.setFrom(new InternetAddress("app@example.org"));
            m.setRecipient(Message.RecipientType.TO, new InternetAddress("someone@example.net"));
            m.setSubject("Relayed");
            m.setText("through the queue\n");
            Transport.send(m);

            ReceivedMail delivered = smarthost.awaitMessages(1, Duration.ofSeconds(30)).getFirst();
            assertThat(delivered.sender()).isEqualTo("app@example.org");
            assertThat(delivered.recipients()).containsExactly("someone@example.net");
            assertThat(delivered.subject()).isEqualTo("Relayed");
            assertThat(delivered.contentAsString()).contains("through the queue");
        }
    }
}
