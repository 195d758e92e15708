package dev.postern.protocol;

import dev.postern.DsnNotify;
import dev.postern.DsnReturn;
import dev.postern.Envelope;
import dev.postern.OriginalRecipient;
import dev.postern.Recipient;
import dev.postern.SmtpHandler;
import dev.postern.SmtpServerConfig;
import dev.postern.Xtext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** RFC 3461 DSN parameters: advertised, checked (501 / 555), and exposed on the envelope. */
class DsnParametersTest {

    private static ProtocolHarness inTransaction(String mailParams) {
        ProtocolHarness h = new ProtocolHarness().ready();
        assertThat(h.cmd("MAIL FROM:<a@b.test>" + mailParams)).startsWith("250");
        return h;
    }

    @Test
    void everyParameterReachesTheEnvelope() {
        ProtocolHarness h = inTransaction(" RET=hdrs ENVID=QQ+2B314159");
        assertThat(h.cmd("RCPT TO:<c@d.test> NOTIFY=success,DELAY ORCPT=rfc822;c+2Bx@d.test")).startsWith("250 2.1.5");
        assertThat(h.cmd("RCPT TO:<e@d.test> NOTIFY=NEVER")).startsWith("250 2.1.5");
        assertThat(h.cmd("RCPT TO:<f@d.test>")).startsWith("250 2.1.5");
        Envelope e = h.session.envelope();
        assertThat(e.dsnReturn()).contains(DsnReturn.HEADERS);
        assertThat(e.envelopeId()).contains("QQ+314159");
        Recipient first = e.recipients().get(0);
        assertThat(first.dsnNotify()).contains(Set.of(DsnNotify.SUCCESS, DsnNotify.DELAY));
        assertThat(first.originalRecipient()).contains(new OriginalRecipient("rfc822", "c+x@d.test"));
        assertThat(e.recipients().get(1).dsnNotify()).contains(Set.of());
        assertThat(e.recipients().get(2).dsnNotify()).isEmpty();
        assertThat(e.recipients().get(2).originalRecipient()).isEmpty();
        assertThat(inTransaction("").session.envelope().dsnReturn()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"RET=ALL", "RET=", "ENVID=has=equals", "ENVID=+4", "ENVID=+0D+0A", "ENVID=+00"})
    void badMailValuesGet501(String param) {
        ProtocolHarness h = new ProtocolHarness().ready();
        assertThat(h.cmd("MAIL FROM:<a@b.test> " + param)).startsWith("501 5.");
        assertThat(h.session.envelope()).isNull();
    }

    @Test
    void envidIsAtMost100Characters() {
        assertThat(new ProtocolHarness().ready().cmd("MAIL FROM:<a@b.test> ENVID=" + "x".repeat(100))).startsWith("250");
        assertThat(new ProtocolHarness().ready().cmd("MAIL FROM:<a@b.test> ENVID=" + "x".repeat(101))).startsWith("501 5.5.4");
        assertThat(new ProtocolHarness().ready().cmd("MAIL FROM:<a@b.test> RET=FULL RET=HDRS")).startsWith("501");
    }

    @ParameterizedTest
    @ValueSource(strings = {"NOTIFY=NEVER,SUCCESS", "NOTIFY=SUCCESS,SUCCESS", "NOTIFY=ALWAYS", "NOTIFY=SUCCESS,",
            "NOTIFY=", "ORCPT=bob@d.test", "ORCPT=;bob@d.test", "ORCPT=rfc822;", "ORCPT=rfc822;bad=xtext",
            "ORCPT=rfc 822;x", "ORCPT=r(fc;x"})
    void badRcptValuesGet501AndTheTransactionGoesOn(String param) {
        ProtocolHarness h = inTransaction("");
        assertThat(h.cmd("RCPT TO:<c@d.test> " + param)).startsWith("501 5.");
        assertThat(h.cmd("RCPT TO:<c@d.test>")).startsWith("250");
    }

    /** RFC 3461 3: with DSN, RCPT lines may be 500 characters longer (and MAIL lines 100). */
    @Test
    void orcptIsAtMost500Characters() {
        String at500 = "rfc822;" + "x".repeat(480) + "@d.test" + "y".repeat(6);
        assertThat(at500).hasSize(500);
        assertThat(inTransaction("").cmd("RCPT TO:<c@d.test> ORCPT=" + at500)).startsWith("250");
        assertThat(inTransaction("").cmd("RCPT TO:<c@d.test> ORCPT=" + at500 + "z")).startsWith("501");
        assertThat(new ProtocolHarness().ready().cmd("MAIL FROM:<" + "a".repeat(64) + "@" + "b".repeat(180) + ".test> SIZE=1000"
                + " RET=FULL ENVID=" + "x".repeat(100) + " BODY=8BITMIME")).startsWith("250");
        assertThat(inTransaction("").cmd("NOOP " + "x".repeat(600))).startsWith("500 5.5.6"); // other lines keep 512
    }

    @Test
    void unknownRcptParametersAndDsnWhenOffGet555() {
        assertThat(inTransaction("").cmd("RCPT TO:<c@d.test> FOO=bar")).startsWith("555 5.5.4");
        ProtocolHarness off = new ProtocolHarness(new SmtpHandler() { },
                b -> b.extensions(new SmtpServerConfig.Extensions(true, true, true, true, true, true, false))).ready();
        assertThat(off.cmd("EHLO c")).doesNotContain("DSN");
        assertThat(off.cmd("MAIL FROM:<a@b.test> RET=FULL")).startsWith("555 5.5.4");
        assertThat(off.cmd("MAIL FROM:<a@b.test> ENVID=x")).startsWith("555 5.5.4");
        off.cmd("MAIL FROM:<a@b.test>");
        assertThat(off.cmd("RCPT TO:<c@d.test> NOTIFY=NEVER")).startsWith("555 5.5.4");
        assertThat(off.cmd("RCPT TO:<c@d.test> ORCPT=rfc822;c@d.test")).startsWith("555 5.5.4");
    }

    @Test
    void parametersAfterHeloGet555() {
        ProtocolHarness h = new ProtocolHarness();
        h.connect();
        h.cmd("HELO c");
        h.cmd("MAIL FROM:<a@b.test>");
        assertThat(h.cmd("RCPT TO:<c@d.test> NOTIFY=NEVER")).startsWith("555 5.5.4 Parameters require EHLO");
    }

    @Test
    void xtextRoundTrips() {
        assertThat(Xtext.decode("a+2Bb+3Dc")).isEqualTo("a+b=c");
        assertThat(Xtext.encode("a+b=c d\u00e9")).isEqualTo("a+2Bb+3Dc+20d+C3+A9");
        assertThat(Xtext.decode(Xtext.encode("x+=\u00e9 \u2028"))).isEqualTo("x+=\u00e9 \u2028");
        assertThatThrownBy(() -> Xtext.decode("a b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Xtext.decode("a+G0")).isInstanceOf(IllegalArgumentException.class);
        assertThat(new OriginalRecipient("rfc822", "a+b@c").toParameter()).isEqualTo("rfc822;a+2Bb@c");
        assertThat(DsnReturn.parse("hdrs").wireValue()).isEqualTo("HDRS");
    }

    /** RFC 3461 4.4: ENVID decodes to printable US-ASCII, space and tilde included. */
    @Test
    void envidMustDecodeToPrintableAscii() {
        assertThat(new ProtocolHarness().ready().cmd("MAIL FROM:<a@b.test> ENVID=a+20b+7E")).startsWith("250");
        for (String bad : new String[] {"a+1F", "a+7F", "a+C3+A9"}) {
            assertThat(new ProtocolHarness().ready().cmd("MAIL FROM:<a@b.test> ENVID=" + bad)).as(bad).startsWith("501 5.5.4");
        }
    }
}
