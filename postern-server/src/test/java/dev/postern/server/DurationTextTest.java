package dev.postern.server;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class DurationTextTest {

    @ParameterizedTest
    @CsvSource({
            "500ms, PT0.5S",
            "5s, PT5S",
            "2m, PT2M",
            "1h, PT1H",
            "1d, PT24H",
            "1m30s, PT1M30S",
            "1h5m, PT1H5M",
            "0s, PT0S",
            "0, PT0S",
            "PT5M, PT5M",
            "pt90s, PT1M30S",
            "P1DT2H, PT26H",
    })
    void parsesUnitsAndIso8601(String text, String expected) {
        assertThat(DurationText.parse(text)).isEqualTo(Duration.parse(expected));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5", "300", "5 s", "5sec", "1.5s", "m", "-5s", "PTX", "5S", "P"})
    void refusesWhatIsNotADuration(String text) {
        assertThatIllegalArgumentException().isThrownBy(() -> DurationText.parse(text)).withMessageContaining("is not a duration");
    }

    @ParameterizedTest
    @ValueSource(strings = {"99999999999999999999s", "9223372036854775807d"})
    void refusesDurationsThatOverflow(String text) {
        assertThatIllegalArgumentException().isThrownBy(() -> DurationText.parse(text));
    }
}
