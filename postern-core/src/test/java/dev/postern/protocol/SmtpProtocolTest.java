package dev.postern.protocol;

import dev.postern.ForwardPath;
import dev.postern.MailParameters;
import dev.postern.Mailbox;
import dev.postern.ReceivedMessage;
import dev.postern.MessageHeaders;
import dev.postern.ReversePath;
import dev.postern.SmtpSession;
import dev.postern.SmtpHandler;
import dev.postern.SmtpRejection;
import dev.postern.SmtpServerConfig;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static dev.postern.protocol.ProtocolHarness.codes;
import static org.assertj.core.api.Assertions.assertThat;

class SmtpProtocolTest {

    /** Collects accepted messages. */
    static class Collector implements SmtpHandler {
        final List<String> messages = new ArrayList<>();
        final List<ReceivedMessage> envelopes = new ArrayList<>();

        @Override
        public void onMessage(SmtpSession session, ReceivedMessage message) throws Exception {
            messages.add(new String(message.readAllBytes(), StandardCharsets.UTF_8));
            envelopes.add(message);
        }
    }

    @Test
    void greetingAndEhloAdvertiseEveryExtension() {
        ProtocolHarness h = new ProtocolHarness();
        assertThat(h.connect()).isEqualTo("220 mx.test ESMTP Postern\r\n");
        String ehlo = h.cmd("EHLO client.test");
        assertThat(ehlo).startsWith("250-mx.test\r\n")
                .contains("250-SIZE 26214400\r\n", "250-8BITMIME\r\n", "250-SMTPUTF8\r\n", "250-PIPELINING\r\n",
                        "250-ENHANCEDSTATUSCODES\r\n")
                .endsWith("250 CHUNKING\r\n");
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
    void enhancedStatusCodesCanBeSwitchedOff() {
        ProtocolHarness h = new ProtocolHarness(new SmtpHandler() { }, b -> b.extensions(
                new SmtpServerConfig.Extensions(true, true, true, true, false, true)));
        h.ready();
        assertThat(h.cmd("MAIL FROM:<a@b.c>")).isEqualTo("250 Ok\r\n");
        assertThat(h.cmd("FOO")).isEqualTo("500 Command unrecognized\r\n");
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
    void realSizeIsEnforcedAfterReadingToTheEnd() {
        Collector c = new Collector();
        ProtocolHarness h = new ProtocolHarness(c, b -> b.maxMessageSize(1000)).ready();
        h.cmd("MAIL FROM:<a@b.c>");
        h.cmd("RCPT TO:<x@y.z>");
        assertThat(h.cmd("DATA")).startsWith("354");
        String body = "x".repeat(600) + "\r\n" + "y".repeat(600) + "\r\n";
        assertThat(h.feed(body)).isEmpty();
        assertThat(h.feed(".\r\n")).startsWith("552 5.3.4");
        assertThat(c.messages).isEmpty();
        assertThat(h.cmd("NOOP")).startsWith("250");
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
    void malformedUtf8InACommandIsRefused() {
        ProtocolHarness h = new ProtocolHarness().ready();
        byte[] bad = {'M', 'A', 'I', 'L', ' ', (byte) 0xC3, (byte) 0x28, '\r', '\n'};
        assertThat(h.feed(bad)).startsWith("500 5.5.2");
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
        Collector c = new Collector();
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
            Collector c = new Collector();
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

    @Nested
    class Hooks {
        @Test
        void hooksRewriteAndRejectPaths() {
            Collector c = new Collector() {
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

        @Test
        void dataStartAndHeaderHooksAddFieldsInTheRightPlaces() {
            List<String> seenSubjects = new ArrayList<>();
            Collector c = new Collector() {
                @Override
                public void onDataStart(SmtpSession s, MessageHeaders headers) {
                    headers.prepend("Received", "from x by y");
                }

                @Override
                public void onDataHeaders(SmtpSession s, MessageHeaders headers) {
                    seenSubjects.add(headers.first("subject").orElse("?"));
                    headers.append("X-Checked", "yes");
                }
            };
            ProtocolHarness h = new ProtocolHarness(c).ready();
            h.feed("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\n");
            assertThat(h.feed("Subject: hello\r\n  folded\r\nFrom: a@b.c\r\n\r\nbody\r\n.\r\n")).startsWith("250");
            assertThat(seenSubjects).containsExactly("hello  folded");
            assertThat(c.messages.get(0)).isEqualTo(
                    "Received: from x by y\r\nSubject: hello\r\n  folded\r\nFrom: a@b.c\r\nX-Checked: yes\r\n\r\nbody\r\n");
            assertThat(c.envelopes.get(0).headers()).extracting(f -> f.name()).containsExactly("Subject", "From");
        }

        @Test
        void headerHookRejectsEarlyButTheReplyComesAfterTheContent() {
            Collector c = new Collector() {
                @Override
                public void onDataHeaders(SmtpSession s, MessageHeaders headers) {
                    if (headers.first("X-Spam").isPresent()) {
                        throw SmtpRejection.of(550, "5.7.1", "Spam");
                    }
                }
            };
            ProtocolHarness h = new ProtocolHarness(c).ready();
            h.feed("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\n");
            assertThat(h.feed("X-Spam: yes\r\n\r\n")).isEmpty();
            assertThat(h.feed("more body\r\n.\r\n")).isEqualTo("550 5.7.1 Spam\r\n");
            assertThat(c.messages).isEmpty();
        }

        @Test
        void messageHookFailureGives451AndNothingIsCounted() {
            ProtocolHarness h = new ProtocolHarness(new SmtpHandler() {
                @Override
                public void onMessage(SmtpSession s, ReceivedMessage m) throws Exception {
                    throw new java.io.IOException("disk full");
                }
            }).ready();
            h.feed("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\n");
            assertThat(h.feed("hi\r\n.\r\n")).startsWith("451 4.3.0");
            assertThat(h.session.messageCount()).isZero();
            assertThat(h.cmd("MAIL FROM:<a@b.c>")).startsWith("250");
        }

        @Test
        void headerBlockLargerThanTheBoundIsRefused() {
            ProtocolHarness h = new ProtocolHarness(new Collector(), b -> b.maxHeaderBytes(100)).ready();
            h.feed("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\n");
            String reply = h.feed(("X-H: " + "v".repeat(50) + "\r\n").repeat(5) + "\r\nbody\r\n.\r\n");
            assertThat(reply).startsWith("552 5.3.4");
        }
    }

    @Nested
    class Chunking {
        @Test
        void bdatChunksMakeOneMessage() {
            Collector c = new Collector();
            ProtocolHarness h = new ProtocolHarness(c).ready();
            h.feed("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\n");
            assertThat(h.feed("BDAT 10\r\nSubject: a")).startsWith("250 2.0.0 10 octets");
            assertThat(h.feed("BDAT 11 LAST\r\n\r\n\r\n.body\r\n")).startsWith("250 2.0.0 Ok: queued");
            assertThat(c.messages).containsExactly("Subject: a\r\n\r\n.body\r\n");
        }

        @Test
        void bdatWithoutTransactionConsumesTheChunkThenRefuses() {
            ProtocolHarness h = new ProtocolHarness().ready();
            assertThat(codes(h.feed("BDAT 6 LAST\r\nQUIT\r\nNOOP\r\n"))).containsExactly(503, 250);
            assertThat(h.protocol.isClosed()).isFalse();
        }

        @Test
        void bdatSyntaxAndSequence() {
            ProtocolHarness h = new ProtocolHarness().ready();
            assertThat(h.cmd("BDAT x")).startsWith("501 5.5.4");
            assertThat(h.cmd("BDAT 1 LASTY")).startsWith("501 5.5.4");
            h.feed("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\n");
            assertThat(h.feed("BDAT 2\r\nab")).startsWith("250");
            assertThat(h.cmd("DATA")).startsWith("503 5.5.1");
            assertThat(h.cmd("RCPT TO:<w@y.z>")).startsWith("503 5.5.1");
            assertThat(h.cmd("BDAT 0 LAST")).startsWith("250 2.0.0 Ok: queued");
        }

        @Test
        void bdatOverTheSizeLimitIsRefusedAndTheTransactionEnds() {
            Collector c = new Collector();
            ProtocolHarness h = new ProtocolHarness(c, b -> b.maxMessageSize(10)).ready();
            h.feed("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\n");
            assertThat(h.feed("BDAT 20\r\n" + "x".repeat(20))).startsWith("552 5.3.4");
            assertThat(h.feed("BDAT 3 LAST\r\nabc")).startsWith("503");
            assertThat(c.messages).isEmpty();
        }

        @Test
        void bdatChunkSplitAcrossReads() {
            Collector c = new Collector();
            ProtocolHarness h = new ProtocolHarness(c).ready();
            h.feed("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\n");
            assertThat(h.feed("BDAT 8 LAST\r\nab\r")).isEmpty();
            // 8 octets: "ab\r\ncd\r\n", and then NOOP is a command
            assertThat(codes(h.feed("\ncd\r\nNOOP\r\n"))).containsExactly(250, 250);
            assertThat(c.messages).containsExactly("ab\r\ncd\r\n");
        }
    }
}
