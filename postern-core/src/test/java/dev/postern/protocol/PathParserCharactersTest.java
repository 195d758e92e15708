package dev.postern.protocol;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The address grammar's character classes at their edges (RFC 5321 4.1.2, RFC 6531): each range's first
 * and last character is accepted and its neighbours outside are refused, so that no control character,
 * space or delimiter can slip into an address or a parameter by an off-by-one.
 */
class PathParserCharactersTest {

    private static void accepted(String args) throws PathSyntaxException {
        assertThat(PathParser.parseReversePath(args).path()).as(args).isNotNull();
    }

    private static void refused(String args) {
        assertThatThrownBy(() -> PathParser.parseReversePath(args)).as(args).isInstanceOf(PathSyntaxException.class);
    }

    /** atext: ALPHA, DIGIT, the specials, and every non-ASCII character (RFC 6531 3.3). */
    @Test
    void dotStringLocalPart() throws Exception {
        for (char c : "azAZ09!#$%&'*+-/=?^_`{|}~\u0080\u00ff\u4e2d".toCharArray()) {
            accepted("<" + c + "@x.y>");
            accepted("<a." + c + "@x.y>");
        }
        for (char c : "@[]:;<>(),\\\" \u007f\u001f\u0000\t".toCharArray()) {
            refused("<" + c + "@x.y>");
            refused("<a" + c + "b@x.y>");
        }
    }

    /** qtextSMTP = %d32-33 / %d35-91 / %d93-126, plus non-ASCII; quoted-pairSMTP = "\" %d32-126. */
    @Test
    void quotedLocalPart() throws Exception {
        for (int c : new int[] {32, 33, 35, 91, 93, 126, 0x80, 0x4e2d}) {
            accepted("<\"a" + (char) c + "b\"@x.y>");
        }
        for (int c : new int[] {0, 9, 31, 127}) {
            refused("<\"a" + (char) c + "b\"@x.y>");
        }
        for (int c : new int[] {32, 34, 92, 126}) {
            accepted("<\"a\\" + (char) c + "b\"@x.y>");
        }
        for (int c : new int[] {31, 127, 0x80}) {
            refused("<\"a\\" + (char) c + "b\"@x.y>");
        }
        refused("<\"a\\");
        refused("<\"ab");
    }

    /** sub-domain: letters, digits and '-' inside, and U-labels; a label may not start or end with '-'. */
    @Test
    void domain() throws Exception {
        for (char c : "azAZ09\u0080\u00fc".toCharArray()) {
            accepted("<a@" + c + ".y>");
            accepted("<a@x" + c + ">");
        }
        accepted("<a@x-y.z>");
        for (char c : "`{@[/:_!~ \u007f\u001f".toCharArray()) {
            refused("<a@x" + c + "y.z>");
        }
        refused("<a@x.y.>");
        refused("<a@.x.y>");
    }

    /** esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-"); esmtp-value = 1*(%d33-60 / %d62-126), plus UTF-8. */
    @Test
    void parameters() throws Exception {
        for (String keyword : new String[] {"a", "z", "A", "Z", "0", "9", "X-Y", "a0-"}) {
            assertThat(PathParser.parseReversePath("<a@b.c> " + keyword + "=v").parameters().get(keyword)).contains("v");
        }
        for (String keyword : new String[] {"-X", "`", "{", "@", "[", "/", ":", "X_Y", "X.Y", "\u00fc"}) {
            refused("<a@b.c> " + keyword + "=v");
        }
        for (int c : new int[] {33, 60, 62, 126, 0x80, 0x4e2d}) {
            String value = "v" + (char) c + "w";
            assertThat(PathParser.parseReversePath("<a@b.c> K=" + value).parameters().get("K")).contains(value);
        }
        for (int c : new int[] {0, 31, 61, 127}) {
            refused("<a@b.c> K=v" + (char) c + "w");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"<a@b.c>", " <a@b.c>", "  <a@b.c>   ", "<a@b.c>  K=v  L"})
    void spacesAroundTheForwardPath(String args) throws Exception {
        assertThat(PathParser.parseForwardPath(args).path().address()).isEqualTo("a@b.c");
    }

    /** RFC 5321 4.5.3.1.3: a path is at most 256 octets with its brackets; the domain alone is refused at 256. */
    @Test
    void pathAndDomainLengthsAtTheirLimits() throws Exception {
        String label = "d".repeat(63);
        String local = "l".repeat(64);
        String domain189 = label + "." + label + "." + "d".repeat(61);
        assertThat(("<" + local + "@" + domain189 + ">")).hasSize(256);
        accepted("<" + local + "@" + domain189 + ">");
        assertThatThrownBy(() -> PathParser.parseReversePath("<" + local + "@" + domain189 + "d>"))
                .hasMessageContaining("path longer than 256");
        String domain255 = String.join(".", label, label, label, label);
        assertThatThrownBy(() -> PathParser.parseReversePath("<a@" + domain255 + ">")).hasMessageContaining("path longer");
        assertThatThrownBy(() -> PathParser.parseReversePath("<a@" + domain255 + "x>")).hasMessageContaining("domain longer");
    }
}
