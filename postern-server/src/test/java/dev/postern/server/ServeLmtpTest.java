package dev.postern.server;

import dev.postern.testing.ExternalTool;
import dev.postern.testing.Swaks;
import dev.postern.testing.TestServer;
import dev.postern.testing.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code postern serve --lmtp-listen}: Postern as the delivery agent behind a mail system, over real LMTP
 * clients (swaks {@code --protocol LMTP}, Postfix's {@code smtp-source -L}), into its Maildir.
 */
@Timeout(60)
class ServeLmtpTest {

    @TempDir
    Path dir;

    @RegisterExtension
    final TestServers servers = new TestServers();

    /** port(0): SMTP; port(1): LMTP. */
    private TestServer start(String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of("--listen", "127.0.0.1:0", "--lmtp-listen", "127.0.0.1:0",
                "--hostname", "mda.test", "--maildir", dir.resolve("mail").toString()));
        all.addAll(List.of(args));
        StandaloneServer standalone = new StandaloneServer(ServeCommandTest.settings(all.toArray(String[]::new)));
        return servers.add(TestServer.of(standalone.start(), () -> standalone.stop(Duration.ZERO)));
    }

    private List<String> delivered() throws IOException {
        return MaildirContents.delivered(dir.resolve("mail"));
    }

    @Test
    void swaksDeliversOverLmtpIntoTheMaildirWithAReplyPerRecipient() throws Exception {
        TestServer server = start();
        ExternalTool.Result r = Swaks.run(server.port(1), "--protocol", "LMTP", "--from", "alice@example.org",
                "--to", "bob@example.org,carol@example.org", "--header", "Subject: over LMTP", "--body", "hello");
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains(" -> LHLO swaks.test", "<-  250 2.0.0 <bob@example.org> Ok: queued as",
                "<-  250 2.0.0 <carol@example.org> Ok: queued as");
        List<String> messages = delivered();
        assertThat(messages).hasSize(1);
        assertThat(messages.getFirst()).contains("Subject: over LMTP").containsPattern("Received: from swaks\\.test .* by mda\\.test \\(Postern\\) "
                + "with LMTP id ");
        // the SMTP listener beside it is still SMTP
        assertThat(Swaks.run(server.port(0), "--protocol", "LMTP", "--from", "a@example.org", "--to", "b@example.org").output())
                .contains("500 5.5.2");
    }

    @Test
    void postfixSmtpSourceDeliversOverLmtp() throws Exception {
        TestServer server = start();
        ExternalTool.Result r = ExternalTool.run(Duration.ofSeconds(30), List.of("/usr/sbin/smtp-source", "-L", "-s", "2",
                "-m", "6", "-r", "2", "-f", "alice@example.org", "-t", "box@example.org", "-M", "source.test",
                "127.0.0.1:" + server.port(1)));
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(delivered()).hasSize(6).allMatch(m -> m.contains(" with LMTP id "));
    }
}
