package dev.postern.relay.client.protocol;

import dev.postern.relay.RemoteReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReplyParserTest {

    private final ReplyParser parser = new ReplyParser();

    private List<Reply> feed(String... lines) throws MalformedReplyException {
        List<Reply> replies = new ArrayList<>();
        for (String l : lines) {
            Reply r = parser.accept(l);
            if (r != null) {
                replies.add(r);
            }
        }
        return replies;
    }

    @Test
    void singleLineWithEnhancedStatus() throws Exception {
        Reply r = feed("550 5.1.1 <bob@example.org>: no such user").get(0);
        assertThat(r.code()).isEqualTo(550);
        assertThat(r.enhancedStatus()).isEqualTo("5.1.1");
        assertThat(r.toRemote()).isEqualTo(new RemoteReply(550, "5.1.1", "<bob@example.org>: no such user"));
        assertThat(r.permanentFailure()).isTrue();
    }

    @Test
    void multiLineJoinsTextsAndStripsEveryEnhancedCode() throws Exception {
        assertThat(feed("451-4.3.0 first", "451-4.3.0 second")).isEmpty();
        assertThat(parser.inProgress()).isTrue();
        Reply r = parser.accept("451 4.3.0 third");
        assertThat(r.lines()).containsExactly("first", "second", "third");
        assertThat(r.toRemote().toString()).isEqualTo("451 4.3.0 first second third");
        assertThat(parser.inProgress()).isFalse();
    }

    @Test
    void bareCodeAndEmptyLastLine() throws Exception {
        assertThat(feed("250").get(0).lines()).containsExactly("");
        Reply ehlo = feed("250-smtp-sink", "250-PIPELINING", "250 ").get(0);
        assertThat(ehlo.lines()).containsExactly("smtp-sink", "PIPELINING", "");
        assertThat(Capabilities.of(ehlo).pipelining()).isTrue();
    }

    @Test
    void enhancedCodeOfAnotherClassIsText() throws Exception {
        Reply r = feed("250 5.1.1 odd").get(0);
        assertThat(r.enhancedStatus()).isNull();
        assertThat(r.toRemote().text()).isEqualTo("5.1.1 odd");
    }

    @Test
    void consecutiveRepliesAreSeparate() throws Exception {
        assertThat(feed("250 2.1.0 ok", "250-2.1.5 a", "250 2.1.5 b", "354 go"))
                .extracting(Reply::code).containsExactly(250, 250, 354);
    }

    @Test
    void controlCharactersBecomeQuestionMarks() throws Exception {
        assertThat(feed("421 bye\u0000\u001b[31m").get(0).toRemote().text()).isEqualTo("bye??[31m");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "25", "HTTP/1.1 400 Bad Request", "2500 x", "250x", "650 no", "160 no", "199 x",
            "2a0 x", "\u0000\u0001\u0002", "<html>"})
    void garbageIsMalformed(String line) {
        assertThatThrownBy(() -> parser.accept(line)).isInstanceOf(MalformedReplyException.class)
                .hasMessageContaining("not an SMTP reply line");
    }

    @Test
    void codeChangeWithinAReplyIsMalformed() throws Exception {
        parser.accept("250-first");
        assertThatThrownBy(() -> parser.accept("550 second")).isInstanceOf(MalformedReplyException.class)
                .hasMessageContaining("changed from 250 to 550");
    }

    @Test
    void tooManyLinesIsMalformed() throws Exception {
        for (int i = 0; i < ReplyParser.MAX_LINES; i++) {
            assertThat(parser.accept("250-line " + i)).isNull();
        }
        assertThatThrownBy(() -> parser.accept("250-one too many")).hasMessageContaining("longer than 128 lines");
    }

    @Test
    void tooLongLineIsMalformed() {
        assertThatThrownBy(() -> parser.accept("250 " + "x".repeat(ReplyParser.MAX_LINE_LENGTH)))
                .hasMessageContaining("longer than 2048");
    }

    @Test
    void quotedGarbageIsBounded() {
        assertThatThrownBy(() -> parser.accept("x".repeat(2000))).satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(120));
    }
}
