package dev.postern.interop;

import dev.postern.interop.ClientRecorder.Delivered;
import dev.postern.testing.ExternalTool;
import dev.postern.testing.Swaks;
import dev.postern.testing.TestServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** swaks, a real and widely used SMTP test client, against the server. */
class SwaksInteropTest extends InteropTestBase {

    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        server = startPostern(c -> { });
    }

    private ExternalTool.Result swaks(String... options) throws Exception {
        return Swaks.run(server.port(), options);
    }

    @Test
    void plainDelivery() throws Exception {
        ExternalTool.Result r = swaks("--from", "sender@swaks.test", "--to", "rcpt@mx.test",
                "--header", "Subject: from swaks", "--body", "line one\n.dot line\nline three");
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("<-  250 2.0.0 Ok: queued as");
        Delivered m = recorder.nextMessage();
        assertThat(m.envelope().reversePath().address()).isEqualTo("sender@swaks.test");
        assertThat(m.content()).contains("Subject: from swaks", "\r\n.dot line\r\n");
    }

    @Test
    void pipelinedDelivery() throws Exception {
        ExternalTool.Result r = swaks("--pipeline", "--from", "a@swaks.test", "--to", "b@mx.test,c@mx.test");
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(recorder.nextMessage().envelope().recipients()).hasSize(2);
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
