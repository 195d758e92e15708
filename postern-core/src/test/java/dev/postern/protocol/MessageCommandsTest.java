package dev.postern.protocol;

import dev.postern.LogLevel;
import dev.postern.MessageHeaders;
import dev.postern.ReceivedMessage;
import dev.postern.SmtpHandler;
import dev.postern.SmtpRejection;
import dev.postern.SmtpSession;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static dev.postern.protocol.ProtocolHarness.codes;
import static org.assertj.core.api.Assertions.assertThat;

/** DATA and BDAT: the content, its size limit, the header and message hooks, and the sink it goes to. */
class MessageCommandsTest {

    @Test
    void realSizeIsEnforcedAfterReadingToTheEnd() {
        MessageCollector c = new MessageCollector();
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
    void dataStartAndHeaderHooksAddFieldsInTheRightPlaces() {
        List<String> seenSubjects = new ArrayList<>();
        MessageCollector c = new MessageCollector() {
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
        MessageCollector c = new MessageCollector() {
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
        ProtocolHarness h = new ProtocolHarness(new MessageCollector(), b -> b.maxHeaderBytes(100)).ready();
        h.feed("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\n");
        String reply = h.feed(("X-H: " + "v".repeat(50) + "\r\n").repeat(5) + "\r\nbody\r\n.\r\n");
        assertThat(reply).startsWith("552 5.3.4");
    }

    @Nested
    class Chunking {
        @Test
        void bdatChunksMakeOneMessage() {
            MessageCollector c = new MessageCollector();
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
            MessageCollector c = new MessageCollector();
            ProtocolHarness h = new ProtocolHarness(c, b -> b.maxMessageSize(10)).ready();
            h.feed("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\n");
            assertThat(h.feed("BDAT 20\r\n" + "x".repeat(20))).startsWith("552 5.3.4");
            assertThat(h.feed("BDAT 3 LAST\r\nabc")).startsWith("503");
            assertThat(c.messages).isEmpty();
        }

        @Test
        void bdatChunkSplitAcrossReads() {
            MessageCollector c = new MessageCollector();
            ProtocolHarness h = new ProtocolHarness(c).ready();
            h.feed("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\n");
            assertThat(h.feed("BDAT 8 LAST\r\nab\r")).isEmpty();
            // 8 octets: "ab\r\ncd\r\n", and then NOOP is a command
            assertThat(codes(h.feed("\ncd\r\nNOOP\r\n"))).containsExactly(250, 250);
            assertThat(c.messages).containsExactly("ab\r\ncd\r\n");
        }
    }

    @Test
    void theSinkOfEveryMessageIsClosedWhateverEndsTheTransaction() {
        ProtocolHarness h = new ProtocolHarness(new MessageCollector()).ready();
        assertThat(codes(h.feed("MAIL FROM:<a@b.c>\r\nDATA\r\n"))).containsExactly(250, 503);
        assertThat(h.sinks.opened).isEmpty(); // a refused DATA opens none
        assertThat(h.feed("RCPT TO:<x@y.z>\r\nDATA\r\nhi\r\n.\r\n")).contains("250 2.0.0 Ok: queued as TEST1.1");
        assertThat(h.sinks.opened).hasSize(1);
        assertThat(h.sinks.allClosed()).isTrue();
        h.feed("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nBDAT 2\r\nab");
        assertThat(h.sinks.allClosed()).isFalse();
        assertThat(h.cmd("RSET")).startsWith("250");
        assertThat(h.sinks.allClosed()).isTrue();
        h.feed("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\nhalf a messa");
        assertThat(h.sinks.opened).hasSize(3);
        h.protocol.disconnect();
        assertThat(h.sinks.allClosed()).isTrue();
    }

    @Test
    void aSinkThatCannotStoreTheMessageGives451() {
        List<String> logs = new ArrayList<>();
        MessageCollector c = new MessageCollector() {
            @Override
            public void onLogEvent(SmtpSession s, LogLevel level, String message, Throwable error) {
                logs.add(level + " " + message + (error == null ? "" : ": " + error.getMessage()));
            }
        };
        ProtocolHarness h = new ProtocolHarness(c).ready();
        h.sinks.failure = new IOException("disk full");
        h.feed("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\n");
        assertThat(h.feed("hi\r\n.\r\n")).isEqualTo("451 4.3.0 Error: local problem storing the message, try again later\r\n");
        assertThat(c.messages).isEmpty();
        assertThat(logs).contains("ERROR cannot spool message: disk full");
        assertThat(h.sinks.allClosed()).isTrue();
    }
}
