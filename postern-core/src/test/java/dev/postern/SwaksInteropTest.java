package dev.postern;

import dev.postern.testing.CollectingHandler;
import dev.postern.testing.ExternalTool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** swaks, a real and widely used SMTP test client, against the server. */
class SwaksInteropTest {

    private SmtpServer server;
    private final CollectingHandler handler = new CollectingHandler();

    @BeforeEach
    void start() throws Exception {
        server = SmtpServer.builder()
                .configure(c -> c.clearListeners().listen("127.0.0.1", 0).hostname("mx.test"))
                .handler(handler).build().start();
    }

    @AfterEach
    void stop() {
        server.stop(Duration.ZERO);
    }

    private ExternalTool.Result swaks(String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("swaks", "--server", "127.0.0.1", "--port",
                String.valueOf(server.port()), "--helo", "swaks.test", "--timeout", "10"));
        cmd.addAll(List.of(extra));
        return ExternalTool.run(Duration.ofSeconds(30), cmd);
    }

    @Test
    void plainDelivery() throws Exception {
        ExternalTool.Result r = swaks("--from", "sender@swaks.test", "--to", "rcpt@mx.test",
                "--header", "Subject: from swaks", "--body", "line one\n.dot line\nline three");
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("<-  250 2.0.0 Ok: queued as");
        CollectingHandler.Received m = handler.next();
        assertThat(m.envelope().reversePath().address()).isEqualTo("sender@swaks.test");
        assertThat(m.content()).contains("Subject: from swaks", "\r\n.dot line\r\n");
    }

    @Test
    void pipelinedDelivery() throws Exception {
        ExternalTool.Result r = swaks("--pipeline", "--from", "a@swaks.test", "--to", "b@mx.test,c@mx.test");
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(handler.next().envelope().recipients()).hasSize(2);
    }

    @Test
    void rejectedRecipientIsReportedToSwaks() throws Exception {
        ExternalTool.Result r = swaks("--from", "a@swaks.test", "--to", "b@mx.test", "--quit-after", "RCPT",
                "--header", "X: y");
        assertThat(r.exitCode()).as(r.output()).isZero();
        ExternalTool.Result bad = swaks("--from", "a@swaks.test", "--to", "not an address");
        assertThat(bad.exitCode()).isNotZero();
        assertThat(bad.output()).contains("501 5.1.3");
    }
}
