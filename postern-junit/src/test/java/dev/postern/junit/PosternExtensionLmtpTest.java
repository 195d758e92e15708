package dev.postern.junit;

import dev.postern.SmtpServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code withLmtp()}: a test server that speaks LMTP, for testing an LMTP client. */
class PosternExtensionLmtpTest {

    @RegisterExtension
    final PosternExtension lmtp = PosternExtension.builder().withLmtp()
            .rejectRecipient("gone@example.org", 550, "5.1.1", "No such mailbox").build();

    /** Sends {@code lines} (pipelined, as LMTP allows) and reads {@code replies} reply lines after the greeting. */
    private static List<String> converse(int port, String lines, int replies) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            assertThat(in.readLine()).startsWith("220 ");
            OutputStream out = socket.getOutputStream();
            out.write(lines.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            List<String> got = new ArrayList<>();
            while (got.size() < replies) {
                String line = in.readLine();
                if (line.charAt(3) == ' ') {
                    got.add(line);
                }
            }
            return got;
        }
    }

    @Test
    void anLmtpClientGetsAReplyPerRecipientAndTheMessageIsRecorded() throws Exception {
        List<String> replies = converse(lmtp.port(), "LHLO client.test\r\nMAIL FROM:<alice@example.org>\r\n"
                + "RCPT TO:<bob@example.org>\r\nRCPT TO:<gone@example.org>\r\nRCPT TO:<carol@example.org>\r\nDATA\r\n"
                + "Subject: lmtp\r\n\r\nhello\r\n.\r\nQUIT\r\n", 9);
        assertThat(replies.get(0)).startsWith("250 ");           // LHLO
        assertThat(replies.get(3)).startsWith("550 5.1.1");      // gone, at RCPT
        assertThat(replies.get(5)).startsWith("354");
        assertThat(replies.get(6)).startsWith("250 2.0.0 <bob@example.org>");
        assertThat(replies.get(7)).startsWith("250 2.0.0 <carol@example.org>");
        assertThat(replies.get(8)).startsWith("221");
        ReceivedMail mail = lmtp.awaitMessages(1, Duration.ofSeconds(5)).getFirst();
        assertThat(mail.envelope().recipients()).hasSize(2);
    }

    @Test
    void ehloIsTurnedAway() throws Exception {
        assertThat(converse(lmtp.port(), "EHLO client.test\r\n", 1).getFirst()).startsWith("500 5.5.1");
    }

    @Test
    void withLmtpAndAWholeConfigurationDoNotMix() {
        assertThatThrownBy(() -> PosternExtension.builder().config(SmtpServerConfig.builder().build()).withLmtp())
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> PosternExtension.builder().withLmtp().config(SmtpServerConfig.builder().build()))
                .isInstanceOf(IllegalStateException.class);
    }
}
