package dev.postern.protocol;

import dev.postern.DataProgress;
import dev.postern.ReceivedMessage;
import dev.postern.SmtpHandler;
import dev.postern.SmtpRejection;
import dev.postern.SmtpReply;
import dev.postern.SmtpSession;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

import static org.assertj.core.api.Assertions.assertThat;

/** onDataReceiving: called per batch of content, it may go on, tarpit (a pause) or reject. */
class DataReceivingTest {

    static final class Progress implements SmtpHandler {
        final List<Long> calls = new ArrayList<>();
        final List<String> messages = new ArrayList<>();
        final LongFunction<DataProgress> decide;

        Progress(LongFunction<DataProgress> decide) {
            this.decide = decide;
        }

        @Override
        public DataProgress onDataReceiving(SmtpSession session, long octetsSoFar) {
            calls.add(octetsSoFar);
            return decide.apply(octetsSoFar);
        }

        @Override
        public void onMessage(SmtpSession session, ReceivedMessage message) {
            messages.add(message.id());
        }
    }

    private static ProtocolHarness inData(SmtpHandler h) {
        ProtocolHarness p = new ProtocolHarness(h).ready();
        p.cmd("MAIL FROM:<a@b.test>");
        p.cmd("RCPT TO:<c@d.test>");
        assertThat(p.cmd("DATA")).startsWith("354");
        return p;
    }

    @Test
    void calledOncePerBatchNotPerLine() {
        Progress h = new Progress(n -> null);
        ProtocolHarness p = inData(h);
        p.feed("Subject: x\r\n\r\nline 1\r\nline 2\r\nline 3\r\n");
        p.feed("line 4\r\n");
        assertThat(p.feed(".\r\n")).startsWith("250");
        assertThat(h.calls).containsExactly(38L, 46L, 46L);
        assertThat(h.messages).hasSize(1);
    }

    @Test
    void bdatChunksToo() {
        Progress h = new Progress(n -> DataProgress.CONTINUE);
        ProtocolHarness p = new ProtocolHarness(h).ready();
        p.cmd("MAIL FROM:<a@b.test>");
        p.cmd("RCPT TO:<c@d.test>");
        assertThat(p.feed("BDAT 10\r\n0123456789")).startsWith("250");
        assertThat(p.feed("BDAT 5 LAST\r\nabcde")).startsWith("250 2.0.0 Ok: queued");
        assertThat(h.calls).containsExactly(10L, 15L);
    }

    @Test
    void aRejectionIsSentAfterTheEndOfDataAndTheMessageIsDropped() {
        Progress h = new Progress(n -> n > 20 ? DataProgress.reject(SmtpReply.of(552, "5.3.4", "too much for you")) : null);
        ProtocolHarness p = inData(h);
        assertThat(p.feed("Subject: x\r\n\r\n")).isEmpty();
        assertThat(p.feed("a long enough line of content\r\n")).isEmpty(); // no reply before the end of data
        assertThat(p.feed("more\r\n")).isEmpty();
        assertThat(p.feed(".\r\n")).isEqualTo("552 5.3.4 too much for you\r\n");
        assertThat(h.calls).hasSize(2); // not asked again once it rejected
        assertThat(h.messages).isEmpty();
        assertThat(p.cmd("MAIL FROM:<a@b.test>")).startsWith("250"); // the session goes on
    }

    @Test
    void aThrownRejectionCountsAsARejectionAndOtherExceptionsAs451() {
        Progress thrown = new Progress(n -> {
            throw SmtpRejection.of(554, "5.7.1", "spam");
        });
        ProtocolHarness p = inData(thrown);
        p.feed("Subject: x\r\n\r\nbody\r\n");
        assertThat(p.feed(".\r\n")).isEqualTo("554 5.7.1 spam\r\n");
        Progress broken = new Progress(n -> {
            throw new IllegalStateException("bug");
        });
        ProtocolHarness q = inData(broken);
        q.feed("Subject: x\r\n\r\nbody\r\n");
        assertThat(q.feed(".\r\n")).startsWith("451 4.3.0");
        assertThat(broken.messages).isEmpty();
    }

    @Test
    void a421ClosesAtOnceMidMessage() {
        Progress h = new Progress(n -> DataProgress.reject(SmtpReply.of(421, "4.7.0", "go away")));
        ProtocolHarness p = inData(h);
        assertThat(p.feed("Subject: x\r\n\r\nbody\r\nQUIT\r\n")).isEqualTo("421 4.7.0 go away\r\n");
        assertThat(p.protocol.isClosed()).isTrue();
        assertThat(p.session.transactionId()).isEmpty();
    }

    /** The 421 comes with the batch that also ends the content: nothing after it runs. */
    @Test
    void a421InTheLastBatchEndsEverything() {
        Progress h = new Progress(n -> DataProgress.reject(SmtpReply.of(421, "4.7.0", "go away")));
        ProtocolHarness p = inData(h);
        assertThat(p.feed("Subject: x\r\n\r\nbody\r\n.\r\nNOOP\r\n")).isEqualTo("421 4.7.0 go away\r\n");
        assertThat(h.messages).isEmpty();
        assertThat(p.protocol.isClosed()).isTrue();
    }

    @Test
    void theMessageReadsTheSameThroughTheServersWrapper() throws Exception {
        List<String> seen = new ArrayList<>();
        ProtocolHarness p = inData(new SmtpHandler() {
            @Override
            public void onMessage(SmtpSession session, ReceivedMessage m) throws Exception {
                try (var in = m.openStream()) {
                    seen.add(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII));
                }
                seen.add(new String(m.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII));
                seen.add(m.size() + " " + m.headers().getFirst().name() + " " + m.envelope().reversePath());
            }
        });
        assertThat(p.feed("Subject: x\r\n\r\nbody\r\n.\r\n")).startsWith("250");
        assertThat(seen).containsExactly("Subject: x\r\n\r\nbody\r\n", "Subject: x\r\n\r\nbody\r\n", "20 Subject <a@b.test>");
    }

    @Test
    void aTarpitPausesReadingUntilTheTransportResumes() {
        Progress h = new Progress(n -> n < 20 ? DataProgress.tarpit(Duration.ofSeconds(3)) : DataProgress.CONTINUE);
        ProtocolHarness p = inData(h);
        assertThat(p.feed("Subject: x\r\n\r\n")).isEmpty();
        assertThat(p.pauses).containsExactly(Duration.ofSeconds(3));
        assertThat(p.feed("more content, now over twenty\r\n.\r\n")).isEmpty(); // nothing read while paused
        assertThat(p.buffered()).isPositive();
        assertThat(h.calls).containsExactly(14L);
        p.protocol.resume();
        assertThat(p.feed("")).startsWith("250 2.0.0");
        assertThat(h.messages).hasSize(1);
    }

    @Test
    void tarpitDelaysAreBounded() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DataProgress.tarpit(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DataProgress.tarpit(Duration.ofMinutes(2)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
