package dev.postern.relay.queue;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A state file's values: %XX escapes and nothing that could end a field or a line, read back strictly. */
class StateCodecEdgeTest {

    @Test
    void valuesRoundTripWhateverTheyHold() {
        for (String v : new String[] {"", "plain", "a b", "a=b", "100%", "line\nbreak\r", "tab\t", "del\u007f", "!~", "z\u00f6e \u4e2d"}) {
            String encoded = StateCodec.encodeValue(v);
            assertThat(encoded).as(v).doesNotContain(" ", "\n", "\r", "=", "\t", "\u007f");
            assertThat(StateCodec.decodeValue(encoded)).isEqualTo(v);
        }
        assertThat(StateCodec.decodeValue("a%41%2b%2B!~")).isEqualTo("aA++!~");
    }

    @Test
    void aValueWithAnUnescapedSeparatorOrABadEscapeIsRefused() {
        for (String bad : new String[] {"a b", "a=b", "a\tb", "a\u007fb", "a\u0000b", "%", "%4", "a%4", "%4G", "%G4", "%%41"}) {
            assertThatThrownBy(() -> StateCodec.decodeValue(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
