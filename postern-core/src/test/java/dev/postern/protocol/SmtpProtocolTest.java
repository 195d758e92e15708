package dev.postern.protocol;

import dev.postern.ForwardPath;
import dev.postern.MailParameters;
import dev.postern.SmtpHandler;
import dev.postern.SmtpRejection;
import dev.postern.SmtpServerConfig;
import dev.postern.SmtpSession;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import static dev.postern.protocol.ProtocolHarness.codes;
import static org.assertj.core.api.Assertions.assertThat;

/** The dispatcher: framing of command lines, the order of commands, the reply path and the rules for hook failures. */
class SmtpProtocolTest {

    @Test
    void enhancedStatusCodesCanBeSwitchedOff() {
        ProtocolHarness h = new ProtocolHarness(new SmtpHandler() { }, b -> b.extensions(
                new SmtpServerConfig.Extensions(true, true, true, true, false, true)));
        h.ready();
        assertThat(h.cmd("MAIL FROM:<a@b.c>")).isEqualTo("250 Ok\r\n");
        assertThat(h.cmd("FOO")).isEqualTo("500 Command unrecognized\r\n");
    }

    @Test
    void malformedUtf8InACommandIsRefused() {
        ProtocolHarness h = new ProtocolHarness().ready();
        byte[] bad = {'M', 'A', 'I', 'L', ' ', (byte) 0xC3, (byte) 0x28, '\r', '\n'};
        assertThat(h.feed(bad)).isEqualTo("500 5.5.2 Command line is not valid UTF-8\r\n");
    }

    @Test
    void theErrorLimitCloses() {
        ProtocolHarness h = new ProtocolHarness(new SmtpHandler() { }, b -> b.maxErrors(3)).ready();
        h.cmd("FOO");
        h.cmd("FOO");
        String third = h.cmd("FOO");
        assertThat(codes(third)).containsExactly(500, 421);
        assertThat(third).contains("421 4.7.0");
        assertThat(h.protocol.isClosed()).isTrue();
    }

    @Test
    void aProxyLineInsideTheSessionIsABadSequence() {
        ProtocolHarness h = new ProtocolHarness().ready();
        assertThat(h.cmd("PROXY TCP4 1.2.3.4 5.6.7.8 1000 25")).startsWith("503 5.5.1");
        assertThat(h.session.remoteAddress().getAddress().getHostAddress()).isEqualTo("127.0.0.9");
    }

    @Test
    void clientTalkingBeforeTheGreetingIsRefused() {
        ProtocolHarness h = new ProtocolHarness();
        assertThat(h.feed("EHLO early\r\n")).startsWith("554 5.5.0");
        assertThat(h.protocol.isClosed()).isTrue();
    }

    @Test
    void hookFailuresBecome451InATransactionAnd421Outside() {
        ProtocolHarness h = new ProtocolHarness(new SmtpHandler() {
            @Override
            public ForwardPath onRcptTo(SmtpSession s, ForwardPath to, MailParameters p) {
                throw new IllegalStateException("database down");
            }

            @Override
            public void onHelo(SmtpSession s, String name) {
                if (name.equals("boom")) {
                    throw new IllegalStateException("boom");
                }
            }
        }).ready();
        h.cmd("MAIL FROM:<a@b.c>");
        assertThat(h.cmd("RCPT TO:<x@y.z>")).startsWith("451 4.3.0");
        assertThat(h.protocol.isClosed()).isFalse();
        assertThat(h.cmd("HELO boom")).startsWith("421 4.3.0");
        assertThat(h.protocol.isClosed()).isTrue();
    }

    @Test
    void rejectionWithCloseDropsTheConnection() {
        ProtocolHarness h = new ProtocolHarness(new SmtpHandler() {
            @Override
            public ForwardPath onRcptTo(SmtpSession s, ForwardPath to, MailParameters p) {
                throw SmtpRejection.of(554, "5.7.1", "Spam").andClose();
            }
        }).ready();
        h.cmd("MAIL FROM:<a@b.c>");
        assertThat(h.cmd("RCPT TO:<x@y.z>")).startsWith("554 5.7.1");
        assertThat(h.protocol.isClosed()).isTrue();
    }

    @Nested
    class CommandLines {
        @Test
        void tooLongLineGets500AndTheSessionGoesOn() {
            ProtocolHarness h = new ProtocolHarness().ready();
            assertThat(h.cmd("NOOP " + "x".repeat(600))).startsWith("500 5.5.6");
            assertThat(h.cmd("NOOP")).startsWith("250");
        }

        @Test
        void lineWithNoEndPastTheBufferBoundGets421() {
            ProtocolHarness h = new ProtocolHarness(new SmtpHandler() { }, b -> b.maxLineBufferBytes(1024)).ready();
            assertThat(h.feed("NOOP " + "x".repeat(1100))).startsWith("421 4.7.0");
            assertThat(h.protocol.isClosed()).isTrue();
        }

        @Test
        void nulAndBareCrAreRefusedNeverLineBreaks() {
            ProtocolHarness h = new ProtocolHarness().ready();
            assertThat(h.feed("NOOP\0x\r\n")).startsWith("500 5.5.2");
            assertThat(h.feed("RSET\rNOOP\r\n")).isEqualTo("500 5.5.2 NUL or bare CR in command line\r\n");
            assertThat(h.cmd("NOOP")).startsWith("250");
        }

        @Test
        void bareLfEndsACommandUnderNormalize() {
            ProtocolHarness h = new ProtocolHarness().ready();
            assertThat(h.feed("NOOP\n")).startsWith("250");
        }

        @Test
        void bareLfInACommandClosesUnderStrict() {
            ProtocolHarness h = new ProtocolHarness(new SmtpHandler() { },
                    b -> b.lineEndings(dev.postern.LineEndingPolicy.STRICT)).ready();
            assertThat(h.feed("NOOP\n")).startsWith("554 5.5.2");
            assertThat(h.protocol.isClosed()).isTrue();
        }

        @Test
        void pipelinedCommandsAreAnsweredInOrderWithNothingLost() {
            MessageCollector c = new MessageCollector();
            ProtocolHarness h = new ProtocolHarness(c).ready();
            String replies = h.feed("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nRCPT TO:<bad\r\nRCPT TO:<w@y.z>\r\nDATA\r\n");
            assertThat(codes(replies)).containsExactly(250, 250, 501, 250, 354);
            assertThat(codes(h.feed("Subject: p\r\n\r\nbody\r\n.\r\nMAIL FROM:<b@b.c>\r\nRCPT TO:<q@y.z>\r\nQUIT\r\n")))
                    .containsExactly(250, 250, 250, 221);
            assertThat(c.messages).containsExactly("Subject: p\r\n\r\nbody\r\n");
        }

        @Test
        void aCommandSplitAcrossReadsIsAssembled() {
            ProtocolHarness h = new ProtocolHarness().ready();
            assertThat(h.feed("MAIL FR")).isEmpty();
            assertThat(h.feed("OM:<a@b.c>\r")).isEmpty();
            assertThat(h.feed("\n")).startsWith("250");
        }

        @Test
        void withoutPipeliningAPipelinedCommandIsRefusedNotLost() {
            ProtocolHarness h = new ProtocolHarness(new SmtpHandler() { }, b -> b.extensions(
                    new SmtpServerConfig.Extensions(true, true, true, false, true, true))).ready();
            String replies = h.feed("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\n");
            assertThat(codes(replies)).containsExactly(250, 503);
            assertThat(replies).contains("PIPELINING");
            assertThat(h.cmd("RCPT TO:<x@y.z>")).startsWith("250");
        }

        @Test
        void afterARefusedDataThePipelinedLinesAreCommands() {
            ProtocolHarness h = new ProtocolHarness().ready();
            // DATA is refused (no recipients), so "NOOP" is a command, not message content.
            assertThat(codes(h.feed("MAIL FROM:<a@b.c>\r\nDATA\r\nNOOP\r\n"))).containsExactly(250, 503, 250);
        }
    }
}
