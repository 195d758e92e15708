package dev.postern.relay.socks;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class EximListTest {

    @Test
    void colonSeparatedAndTrimmed() {
        assertThat(EximList.split("  a : b:c  ", ':')).containsExactly("a", "b", "c");
    }

    @Test
    void doubledSeparatorIsALiteral() {
        assertThat(EximList.split("a::b : c", ':')).containsExactly("a:b", "c");
        assertThat(EximList.split("::x", ':')).containsExactly(":x");
    }

    @Test
    void angleBracketChangesTheSeparator() {
        assertThat(EximList.split("<; ::1 port=1 ; 127.0.0.1", ':')).containsExactly("::1 port=1", "127.0.0.1");
        assertThat(EximList.split("  <, a,b", ':')).containsExactly("a", "b");
    }

    @Test
    void angleBracketWithoutPunctuationIsData() {
        assertThat(EximList.split("<a : b", ':')).containsExactly("<a", "b");
    }

    @Test
    void controlCharacterSeparatorCannotBeDoubled() {
        assertThat(EximList.split("<\na\n\nb", ':')).containsExactly("a", "", "b");
    }

    @Test
    void emptyItemsInTheMiddleAreKeptButNotAtTheEnd() {
        assertThat(EximList.split("a : : b :", ':')).containsExactly("a", "", "b");
        assertThat(EximList.split("   ", ':')).isEmpty();
        assertThat(EximList.split("", ':')).isEmpty();
    }

    @Test
    void spaceSeparatedSublistTreatsTwoSpacesAsALiteralSpace() {
        assertThat(EximList.split("1.2.3.4 port=1 pass=a  b", ' ')).containsExactly("1.2.3.4", "port=1", "pass=a b");
    }
}
