package dev.postern.protocol;

import dev.postern.SmtpHandler;
import dev.postern.SmtpRejection;
import dev.postern.SmtpServerConfig;
import dev.postern.SmtpSession;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The greeting, HELO / EHLO and the commands outside a transaction (RFC 5321 4.1.1). */
class SessionCommandsTest {

    @Test
    void greetingAndEhloAdvertiseEveryExtension() {
        ProtocolHarness h = new ProtocolHarness();
        assertThat(h.connect()).isEqualTo("220 mx.test ESMTP Postern\r\n");
        String ehlo = h.cmd("EHLO client.test");
        assertThat(ehlo).startsWith("250-mx.test\r\n")
                .contains("250-SIZE 26214400\r\n", "250-8BITMIME\r\n", "250-SMTPUTF8\r\n", "250-PIPELINING\r\n",
                        "250-ENHANCEDSTATUSCODES\r\n")
                .endsWith("250-CHUNKING\r\n250 DSN\r\n");
        assertThat(h.session.heloName()).isEqualTo("client.test");
        assertThat(h.session.isEsmtp()).isTrue();
    }

    @Test
    void switchedOffExtensionsAreNotAdvertisedAndTheirParametersRefused() {
        ProtocolHarness h = new ProtocolHarness(new SmtpHandler() { }, b -> b.extensions(
                new SmtpServerConfig.Extensions(false, false, false, true, true, false)));
        h.connect();
        assertThat(h.cmd("EHLO c")).doesNotContain("SIZE", "8BITMIME", "SMTPUTF8", "CHUNKING");
        assertThat(h.cmd("MAIL FROM:<a@b.c> SIZE=10")).startsWith("555 5.5.4");
        assertThat(h.cmd("MAIL FROM:<a@b.c> BODY=8BITMIME")).startsWith("555 5.5.4");
        assertThat(h.cmd("MAIL FROM:<a@b.c> SMTPUTF8")).startsWith("555 5.5.4");
        assertThat(h.cmd("BDAT 3 LAST")).startsWith("500 5.5.2");
    }

    @Test
    void heloTakesOneNameAndAnswersWithTheHeloResponse() {
        ProtocolHarness h = new ProtocolHarness();
        h.connect();
        assertThat(h.cmd("HELO")).startsWith("501 5.5.4");
        assertThat(h.cmd("HELO a b")).startsWith("501 5.5.4");
        assertThat(h.cmd("HELO client.test")).isEqualTo("250 mx.test\r\n");
        assertThat(h.session.isEsmtp()).isFalse();
        assertThat(h.cmd("MAIL FROM:<a@b.c> SIZE=10")).startsWith("555 5.5.4 Parameters require EHLO");
    }

    @Test
    void connectHookChangesTheGreetingOrRejects() {
        ProtocolHarness greet = new ProtocolHarness(new SmtpHandler() {
            @Override
            public void onConnect(SmtpSession s) {
                s.setGreeting("welcome\r\n250 injected");
                s.setHeloResponse("hi there");
            }
        });
        assertThat(greet.connect()).isEqualTo("220 welcome250 injected\r\n");
        assertThat(greet.cmd("HELO x")).isEqualTo("250 hi there\r\n");

        ProtocolHarness reject = new ProtocolHarness(new SmtpHandler() {
            @Override
            public void onConnect(SmtpSession s) {
                throw SmtpRejection.of(554, "5.7.1", "Go away");
            }
        });
        assertThat(reject.connect()).isEqualTo("554 5.7.1 Go away\r\n");
        assertThat(reject.protocol.isClosed()).isTrue();
    }

    @Test
    void ehloAndRsetResetTheTransaction() {
        ProtocolHarness h = new ProtocolHarness().ready();
        h.cmd("MAIL FROM:<a@b.c>");
        assertThat(h.cmd("RSET")).startsWith("250 2.0.0");
        assertThat(h.session.envelope()).isNull();
        assertThat(h.cmd("MAIL FROM:<a@b.c>")).startsWith("250");
        h.cmd("EHLO again");
        assertThat(h.session.envelope()).isNull();
        assertThat(h.cmd("RCPT TO:<x@y.z>")).startsWith("503");
    }

    @Test
    void simpleCommands() {
        ProtocolHarness h = new ProtocolHarness().ready();
        assertThat(h.cmd("NOOP")).startsWith("250 2.0.0");
        assertThat(h.cmd("VRFY someone")).startsWith("252 2.5.0");
        assertThat(h.cmd("VRFY")).startsWith("501");
        assertThat(h.cmd("HELP")).startsWith("214 2.0.0");
        assertThat(h.cmd("EXPN list")).startsWith("502 5.5.1");
        assertThat(h.cmd("")).startsWith("500 5.5.2");
        assertThat(h.cmd("noop")).startsWith("250");
        assertThat(h.cmd("QUIT")).startsWith("221 2.0.0");
        assertThat(h.protocol.isClosed()).isTrue();
    }

    @Test
    void unknownCommandsGet500AndTheHookCanDropTheClient() {
        ProtocolHarness h = new ProtocolHarness(new SmtpHandler() {
            @Override
            public void onUnknownCommand(SmtpSession session, String line) {
                if (session.unknownCommandCount() >= 3) {
                    throw SmtpRejection.of(421, "4.7.0", "Too many unknown commands");
                }
                SmtpHandler.super.onUnknownCommand(session, line);
            }
        }).ready();
        assertThat(h.cmd("FOO")).startsWith("500 5.5.2");
        assertThat(h.cmd("BAR baz")).startsWith("500 5.5.2");
        assertThat(h.cmd("BAZ")).startsWith("421 4.7.0 Too many unknown commands");
        assertThat(h.protocol.isClosed()).isTrue();
    }
}
