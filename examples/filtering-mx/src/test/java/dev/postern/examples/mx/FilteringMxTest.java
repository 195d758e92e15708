package dev.postern.examples.mx;

import dev.postern.SmtpServer;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FilteringMxTest {

    @TempDir
    Path store;
    SmtpServer mx;

    @BeforeEach
    void start() throws Exception {
        mx = FilteringMx.start("127.0.0.1", 0, Map.of("example.org", Set.of("alice", "bob")), store);
    }

    @AfterEach
    void stop() {
        mx.stop(Duration.ofSeconds(5));
    }

    private void send(String to, String... headers) throws MessagingException {
        Properties props = new Properties();
        props.put("mail.smtp.host", "127.0.0.1");
        props.put("mail.smtp.port", String.valueOf(mx.port()));
        MimeMessage m = new MimeMessage(Session.getInstance(props));
        m.setFrom(new InternetAddress("sender@example.com"));
        m.setRecipient(Message.RecipientType.TO, new InternetAddress(to));
        m.setSubject("Hello");
        m.setText("Hello there\n");
        for (int i = 0; i + 1 < headers.length; i += 2) {
            m.setHeader(headers[i], headers[i + 1]);
        }
        Transport.send(m);
    }

    @Test
    void mailForAKnownUserIsStoredBeforeThe250() throws Exception {
        send("Alice@Example.org");
        // Transport.send returned: the 250 came, so the file is there already
        try (var files = Files.list(store.resolve("alice@example.org"))) {
            Path stored = files.filter(p -> p.toString().endsWith(".eml")).findFirst().orElseThrow();
            assertThat(Files.readString(stored)).contains("Subject: Hello").contains("Hello there");
        }
    }

    @Test
    void otherDomainsAreRefusedAsRelaying() {
        assertThatThrownBy(() -> send("someone@elsewhere.example"))
                .isInstanceOf(SendFailedException.class)
                .satisfies(e -> assertThat(((SendFailedException) e).getNextException()).hasMessageContaining("550 5.7.1"));
    }

    @Test
    void unknownUsersAreRefused() {
        assertThatThrownBy(() -> send("mallory@example.org"))
                .isInstanceOf(SendFailedException.class)
                .satisfies(e -> assertThat(((SendFailedException) e).getNextException()).hasMessageContaining("550 5.1.1"));
    }

    @Test
    void flaggedSpamIsRefusedAndNotStored() throws Exception {
        assertThatThrownBy(() -> send("bob@example.org", "X-Spam-Flag", "YES"))
                .isInstanceOf(MessagingException.class).hasMessageContaining("5.7.1");
        assertThat(store.resolve("bob@example.org")).doesNotExist();
    }
}
