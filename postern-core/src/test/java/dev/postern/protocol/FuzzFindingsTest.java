package dev.postern.protocol;

import dev.postern.ServerMetrics.Counter;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Plain tests for what the fuzz tests found, one per finding (the inputs are in the fuzz tests' corpora too). */
class FuzzFindingsTest {

    @Test
    void theClosingTooManyErrorsReplyIsCountedAsA4xxReply() {
        ProtocolHarness h = new ProtocolHarness(new dev.postern.SmtpHandler() { }, b -> b.maxErrors(2));
        h.ready();
        String replies = h.feed("BOGUS\r\nBOGUS\r\n");

        assertThat(replies).contains("421 4.7.0 Too many errors");
        assertThat(h.metrics.get(Counter.REPLIES_5XX)).isEqualTo(2);
        assertThat(h.metrics.get(Counter.REPLIES_4XX)).isEqualTo(1);
    }

    @Test
    void aBadParameterKeywordIsQuotedWithoutItsControlCharacters() {
        ProtocolHarness h = new ProtocolHarness().ready();
        String reply = h.cmd("MAIL FROM:<a@example.org> \u0001X\u001b");

        assertThat(reply).startsWith("501 ").contains("bad parameter keyword: ?X?");
        assertThat(reply.substring(0, reply.length() - 2)).doesNotContainPattern("[\\x00-\\x1f\\x7f]");
    }
}
