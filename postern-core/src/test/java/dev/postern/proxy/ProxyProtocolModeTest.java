package dev.postern.proxy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProxyProtocolModeTest {

    @ParameterizedTest
    @CsvSource({"off, OFF", "optional, OPTIONAL", "required, REQUIRED", "' Required ', REQUIRED", "OFF, OFF"})
    void parsesTheThreeModesIgnoringCase(String text, ProxyProtocolMode expected) {
        assertThat(ProxyProtocolMode.parse(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "on", "true", "v2", "require"})
    void refusesAnythingElse(String text) {
        assertThatThrownBy(() -> ProxyProtocolMode.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("off, optional or required");
    }

    @Test
    void refusesNull() {
        assertThatThrownBy(() -> ProxyProtocolMode.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
