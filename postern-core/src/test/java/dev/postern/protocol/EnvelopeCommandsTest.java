package dev.postern.protocol;

import dev.postern.ForwardPath;
import dev.postern.MailParameters;
import dev.postern.Mailbox;
import dev.postern.ReversePath;
import dev.postern.SmtpHandler;
import dev.postern.SmtpRejection;
import dev.postern.SmtpSession;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** MAIL and RCPT: sequence, path syntax, parameters and the path hooks. */
class EnvelopeCommandsTest {

    @Test
    void commandsOutOfSequenceGet503AndChangeNothing() {
        ProtocolHarness h = new ProtocolHarness();
        h.connect();
        assertThat(h.cmd("MAIL FROM:<a@b.c>")).startsWith("503 5.5.1");
        assertThat(h.cmd("RCPT TO:<a@b.c>")).startsWith("503 5.5.1");
        assertThat(h.cmd("DATA")).startsWith("503 5.5.1");
        h.cmd("EHLO c");
        assertThat(h.cmd("RCPT TO:<a@b.c>")).startsWith("503 5.5.1 Error: need MAIL");
        assertThat(h.cmd("DATA")).startsWith("503 5.5.1");
        assertThat(h.cmd("MAIL FROM:<a@b.c>")).startsWith("250 2.1.0");
        assertThat(h.cmd("MAIL FROM:<a@b.c>")).startsWith("503 5.5.1 Error: nested MAIL");
        assertThat(h.cmd("DATA")).startsWith("503 5.5.1 Error: need RCPT");
        assertThat(h.cmd("RCPT TO:<x@y.z>")).startsWith("250 2.1.5");
        assertThat(h.session.envelope().reversePath().address()).isEqualTo("a@b.c");
        assertThat(h.session.envelope().forwardPaths()).extracting(ForwardPath::address).containsExactly("x@y.z");
    }

    @Test
    void syntaxErrorsGet501AndTheTransactionGoesOn() {
        ProtocolHarness h = new ProtocolHarness().ready();
        assertThat(h.cmd("MAIL FROM")).startsWith("501 5.5.4");
        assertThat(h.cmd("MAIL FROM:a@b.c")).startsWith("501 5.1.7");
        assertThat(h.cmd("MAIL FROM:<a@@b>")).startsWith("501 5.1.7");
        assertThat(h.cmd("MAIL FROM:<a@b.c>x")).startsWith("501 5.1.7");
        assertThat(h.cmd("MAIL FROM:<a@b.c>")).startsWith("250");
        assertThat(h.cmd("RCPT TO:<bad address@x>")).startsWith("501 5.1.3");
        assertThat(h.cmd("RCPT TO:<ok@x.y>")).startsWith("250");
        assertThat(h.cmd("DATA now")).startsWith("501 5.5.4");
        assertThat(h.cmd("RSET now")).startsWith("501 5.5.4");
        assertThat(h.session.envelope().recipients()).hasSize(1);
    }

    @Test
    void unknownParametersGet555() {
        ProtocolHarness h = new ProtocolHarness().ready();
        assertThat(h.cmd("MAIL FROM:<a@b.c> RET=FULL")).startsWith("555 5.5.4");
        assertThat(h.cmd("MAIL FROM:<a@b.c> BODY=8BITMIME SIZE=100")).startsWith("250");
        assertThat(h.session.envelope().declaredSize()).isEqualTo(100);
        assertThat(h.cmd("RCPT TO:<a@b.c> NOTIFY=NEVER")).startsWith("555 5.5.4");
    }

    @Test
    void declaredSizeOverTheLimitIsRefusedAtOnce() {
        ProtocolHarness h = new ProtocolHarness(new SmtpHandler() { }, b -> b.maxMessageSize(1000)).ready();
        assertThat(h.cmd("MAIL FROM:<a@b.c> SIZE=1001")).startsWith("552 5.3.4");
        assertThat(h.cmd("MAIL FROM:<a@b.c> SIZE=x")).startsWith("501 5.5.4");
        assertThat(h.cmd("MAIL FROM:<a@b.c> SIZE=99999999999999999999999")).startsWith("501 5.5.4");
        assertThat(h.cmd("MAIL FROM:<a@b.c> SIZE=1000")).startsWith("250");
    }

    @Test
    void bodyAndUtf8FlagsReachTheEnvelope() {
        ProtocolHarness h = new ProtocolHarness().ready();
        assertThat(h.cmd("MAIL FROM:<ü@bücher.de> BODY=8BITMIME SMTPUTF8")).startsWith("250");
        assertThat(h.session.envelope().smtpUtf8()).isTrue();
        assertThat(h.session.envelope().bodyType()).isEqualTo(dev.postern.BodyType.EIGHT_BIT_MIME);
        assertThat(h.cmd("RCPT TO:<josé@exemplo.br>")).startsWith("250");
    }

    @Test
    void nonAsciiPathsNeedSmtpUtf8() {
        ProtocolHarness h = new ProtocolHarness().ready();
        assertThat(h.cmd("MAIL FROM:<ü@bücher.de>")).startsWith("553 5.6.7");
        assertThat(h.cmd("MAIL FROM:<a@b.c>")).startsWith("250");
        assertThat(h.cmd("RCPT TO:<josé@exemplo.br>")).startsWith("553 5.6.7");
    }

    @Test
    void nullSenderAndPostmasterAreAccepted() {
        ProtocolHarness h = new ProtocolHarness().ready();
        assertThat(h.cmd("MAIL FROM:<>")).startsWith("250");
        assertThat(h.session.envelope().reversePath().isNull()).isTrue();
        assertThat(h.cmd("RCPT TO:<postmaster>")).startsWith("250");
        assertThat(h.session.envelope().recipients().get(0).path().isPostmaster()).isTrue();
        assertThat(h.cmd("RCPT TO:<>")).startsWith("501");
    }

    @Test
    void tooManyRecipientsGet452AndTheAcceptedOnesStay() {
        MessageCollector c = new MessageCollector();
        ProtocolHarness h = new ProtocolHarness(c, b -> b.maxRecipients(2)).ready();
        h.cmd("MAIL FROM:<a@b.c>");
        assertThat(h.cmd("RCPT TO:<1@x.y>")).startsWith("250");
        assertThat(h.cmd("RCPT TO:<2@x.y>")).startsWith("250");
        assertThat(h.cmd("RCPT TO:<3@x.y>")).startsWith("452 4.5.3");
        h.cmd("DATA");
        assertThat(h.feed("Subject: x\r\n\r\nhi\r\n.\r\n")).startsWith("250 2.0.0 Ok: queued as TEST1.1");
        assertThat(c.envelopes.get(0).envelope().forwardPaths()).extracting(ForwardPath::address)
                .containsExactly("1@x.y", "2@x.y");
    }

    @Test
    void hooksRewriteAndRejectPaths() {
        MessageCollector c = new MessageCollector() {
            @Override
            public ReversePath onMailFrom(SmtpSession s, ReversePath from, MailParameters p) {
                return ReversePath.of(new Mailbox(from.mailbox().localPart().toLowerCase(), from.mailbox().domain()));
            }

            @Override
            public ForwardPath onRcptTo(SmtpSession s, ForwardPath to, MailParameters p) {
                if (to.address().startsWith("nobody")) {
                    throw SmtpRejection.of(550, "5.1.1", "No such user");
                }
                return to;
            }
        };
        ProtocolHarness h = new ProtocolHarness(c).ready();
        h.cmd("MAIL FROM:<Alice@b.c>");
        assertThat(h.session.envelope().reversePath().address()).isEqualTo("alice@b.c");
        assertThat(h.cmd("RCPT TO:<nobody@x.y>")).isEqualTo("550 5.1.1 No such user\r\n");
        assertThat(h.cmd("RCPT TO:<somebody@x.y>")).startsWith("250");
    }

    @Test
    void lenientPathsAreAcceptedOnlyWhenConfigured() {
        ProtocolHarness strict = new ProtocolHarness().ready();
        assertThat(strict.cmd("MAIL FROM:user@example.org")).startsWith("501 5.1.7");
        ProtocolHarness lenient = new ProtocolHarness(new SmtpHandler() { },
                b -> b.pathSyntax(dev.postern.PathSyntax.LENIENT)).ready();
        assertThat(lenient.cmd("MAIL FROM:user@example.org BODY=8BITMIME")).startsWith("250 2.1.0");
        assertThat(lenient.cmd("RCPT TO:rcpt@example.org")).startsWith("250 2.1.5");
        assertThat(lenient.cmd("RCPT TO: <other@example.org>")).startsWith("250 2.1.5");
        assertThat(lenient.session.envelope().reversePath().address()).isEqualTo("user@example.org");
        assertThat(lenient.session.envelope().forwardPaths()).extracting(dev.postern.ForwardPath::address)
                .containsExactly("rcpt@example.org", "other@example.org");
        assertThat(lenient.cmd("RCPT TO:nodomain")).startsWith("501 5.1.3");
    }
}
