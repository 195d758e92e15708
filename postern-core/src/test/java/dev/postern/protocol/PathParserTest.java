package dev.postern.protocol;

import dev.postern.ForwardPath;
import dev.postern.ReversePath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PathParserTest {

    @ParameterizedTest
    @ValueSource(strings = {"<a@b.c>", "<first.last+tag@sub.example.org>", "<\"quoted name\"@example.org>",
            "<\"a\\\"b\"@x.y>", "<user@[192.168.0.1]>", "<user@[IPv6:2001:db8::1]>", "<user@[IPv6:::ffff:1.2.3.4]>",
            "<!#$%&'*+-/=?^_`{|}~@x.y>", "<ü@bücher.de>", " <a@b.c>"})
    void validReversePaths(String path) throws Exception {
        assertThat(PathParser.parseReversePath(path).path().isNull()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a@b.c", "<a@b.c", "<a b@c.d>", "<a@b..c>", "<.a@b.c>", "<a.@b.c>", "<a@-b.c>",
            "<a@b-.c>", "<a@[300.1.1.1]>", "<a@[IPv6:1::2::3]>", "<@b.c>", "<a@>", "<a>", "<a@b.c> SI_ZE",
            "<a@b.c>junk", "<\"unterminated@b.c>", "<a@b.c> =x", "<a@b.c> X=", "<a@b.c> A=1 A=2"})
    void invalidReversePaths(String path) {
        assertThatThrownBy(() -> PathParser.parseReversePath(path)).isInstanceOf(PathSyntaxException.class);
    }

    @Test
    void nullReversePathAndParameters() throws Exception {
        var parsed = PathParser.parseReversePath("<> SIZE=100 BODY=8BITMIME smtputf8");
        assertThat(parsed.path()).isEqualTo(ReversePath.NULL);
        assertThat(parsed.parameters().get("size")).contains("100");
        assertThat(parsed.parameters().get("SMTPUTF8")).contains("");
        assertThat(parsed.parameters().values().keySet()).containsExactly("SIZE", "BODY", "SMTPUTF8");
    }

    @Test
    void sourceRoutesAreDropped() throws Exception {
        var parsed = PathParser.parseForwardPath("<@hosta.int,@jkl.org:userc@d.bar.org>");
        assertThat(parsed.path().address()).isEqualTo("userc@d.bar.org");
    }

    @Test
    void postmasterWithoutDomain() throws Exception {
        assertThat(PathParser.parseForwardPath("<POSTMASTER>").path()).isEqualTo(ForwardPath.POSTMASTER);
        assertThat(PathParser.parseForwardPath("<postmaster@x.y>").path().isPostmaster()).isFalse();
    }

    @Test
    void lengthLimits() throws Exception {
        String local64 = "l".repeat(64);
        assertThat(PathParser.parseReversePath("<" + local64 + "@x.y>").path().mailbox().localPart()).hasSize(64);
        assertThatThrownBy(() -> PathParser.parseReversePath("<" + local64 + "l@x.y>"))
                .hasMessageContaining("local part");
        String label = "d".repeat(63);
        String domain255 = String.join(".", label, label, label, label); // 255 octets
        assertThat(domain255).hasSize(255);
        assertThatThrownBy(() -> PathParser.parseReversePath("<a@" + domain255 + "x>")).hasMessageContaining("domain");
        // path limit: 256 octets including the brackets
        String local = "l".repeat(64);
        String domain = String.join(".", label, label, label, "d".repeat(59)); // 253
        assertThatThrownBy(() -> PathParser.parseReversePath("<" + local + "@" + domain + ">"))
                .hasMessageContaining("path longer");
        // non-ASCII counts in octets: 32 two-octet characters fill the 64-octet local part
        assertThat(PathParser.parseReversePath("<" + "ü".repeat(32) + "@x.y>").path()).isNotNull();
        assertThatThrownBy(() -> PathParser.parseReversePath("<" + "ü".repeat(33) + "@x.y>")).hasMessageContaining("local part");
    }

    @Test
    void lenientSyntaxTakesPathsWithoutAngleBrackets() throws Exception {
        var from = PathParser.parseReversePath("user@example.org SIZE=10", dev.postern.PathSyntax.LENIENT);
        assertThat(from.path().address()).isEqualTo("user@example.org");
        assertThat(from.parameters().get("SIZE")).contains("10");
        assertThat(PathParser.parseForwardPath(" user@example.org", dev.postern.PathSyntax.LENIENT).path().address())
                .isEqualTo("user@example.org");
        assertThat(PathParser.parseReversePath("<a@b.c>", dev.postern.PathSyntax.LENIENT).path().address()).isEqualTo("a@b.c");
        assertThat(PathParser.parseReversePath("<>", dev.postern.PathSyntax.LENIENT).path().isNull()).isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PathParser.parseReversePath("user@example.org"))
                .isInstanceOf(PathSyntaxException.class).hasMessageContaining("angle brackets");
        // still an address: a domain, valid characters, the length limits
        for (String bad : new String[] {"user", "us er@example.org", "user@", "user@-bad.org>", "", "a@b.c,d"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> PathParser.parseReversePath(bad, dev.postern.PathSyntax.LENIENT))
                    .as(bad).isInstanceOf(PathSyntaxException.class);
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PathParser.parseReversePath(
                "x".repeat(64) + "@" + "d".repeat(60) + "." + "d".repeat(60) + "." + "d".repeat(60) + "." + "d".repeat(10),
                dev.postern.PathSyntax.LENIENT)).hasMessageContaining("path longer");
    }
}
