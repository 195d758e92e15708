package dev.postern;

import dev.postern.testing.AngusMail;
import dev.postern.testing.RawSmtpClient;
import dev.postern.testing.TestServer;
import dev.postern.testing.TestServers;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Properties;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** DSN (RFC 3461) on the wire: Angus Mail sends NOTIFY and RET to a server that advertises DSN. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DsnSocketTest {

    @RegisterExtension
    final TestServers servers = new TestServers();

    static final class Envelopes implements SmtpHandler {
        final BlockingQueue<Envelope> received = new LinkedBlockingQueue<>();

        @Override
        public void onMessage(SmtpSession session, ReceivedMessage message) {
            received.add(message.envelope());
        }
    }

    @Test
    void angusMailsDsnSettingsReachTheEnvelope() throws Exception {
        Envelopes h = new Envelopes();
        TestServer server = servers.start(h);
        Properties p = AngusMail.settings("smtp", server.port());
        p.put("mail.smtp.dsn.notify", "SUCCESS,FAILURE");
        p.put("mail.smtp.dsn.ret", "HDRS");
        Session session = Session.getInstance(p);
        Transport.send(AngusMail.message(session, "alice@example.org", "bob@example.net", "dsn", "hello"));
        Envelope e = h.received.poll(10, TimeUnit.SECONDS);
        assertThat(e.dsnReturn()).contains(DsnReturn.HEADERS);
        assertThat(e.recipients().getFirst().dsnNotify()).contains(Set.of(DsnNotify.SUCCESS, DsnNotify.FAILURE));
    }

    @Test
    void everyParameterOverTheWireAndItsSyntaxErrors() throws Exception {
        Envelopes h = new Envelopes();
        TestServer server = servers.start(h);
        try (RawSmtpClient c = new RawSmtpClient(server.port())) {
            assertThat(c.reply()).startsWith("220");
            assertThat(c.cmd("EHLO x")).contains("250 DSN");
            assertThat(c.cmd("MAIL FROM:<a@b.test> RET=BOTH")).isEqualTo("501 5.5.4 Bad RET value; FULL or HDRS");
            assertThat(c.cmd("MAIL FROM:<a@b.test> RET=FULL ENVID=id+2B1")).startsWith("250");
            assertThat(c.cmd("RCPT TO:<c@d.test> NOTIFY=NEVER,DELAY"))
                    .isEqualTo("501 5.5.4 Bad NOTIFY value; NEVER, or SUCCESS, FAILURE, DELAY");
            assertThat(c.cmd("RCPT TO:<c@d.test> XYZ=1")).isEqualTo("555 5.5.4 Unsupported parameter: XYZ");
            assertThat(c.cmd("RCPT TO:<c@d.test> NOTIFY=DELAY ORCPT=rfc822;orig+40x@d.test")).startsWith("250");
            assertThat(c.cmd("DATA")).startsWith("354");
            assertThat(c.cmd("Subject: x\r\n\r\nhi\r\n.")).startsWith("250");
        }
        Envelope e = h.received.poll(10, TimeUnit.SECONDS);
        assertThat(e.envelopeId()).contains("id+1");
        assertThat(e.dsnReturn()).contains(DsnReturn.FULL);
        assertThat(e.recipients().getFirst().originalRecipient()).contains(new OriginalRecipient("rfc822", "orig@x@d.test"));
    }
}
