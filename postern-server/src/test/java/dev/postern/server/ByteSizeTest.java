package dev.postern.server;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ByteSizeTest {

    @ParameterizedTest
    @CsvSource({
            "0, 0",
            "1048576, 1048576",
            "100B, 100",
            "512K, 524288",
            "512k, 524288",
            "10M, 10485760",
            "25MiB, 26214400",
            "25mib, 26214400",
            "25 MiB, 26214400",
            "1G, 1073741824",
            "2GiB, 2147483648",
            "10KB, 10000",
            "10MB, 10000000",
            "1GB, 1000000000",
    })
    void parsesPlainNumbersAndUnits(String text, long expected) {
        assertThat(ByteSize.parse(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "M", "-1", "1.5M", "10X", "10iB", "10 M B", "ten", "10Mi"})
    void refusesWhatIsNotASize(String text) {
        assertThatIllegalArgumentException().isThrownBy(() -> ByteSize.parse(text)).withMessageContaining("is not a size");
    }

    @ParameterizedTest
    @ValueSource(strings = {"9223372036854775808", "9000000000G"})
    void refusesSizesThatOverflow(String text) {
        assertThatIllegalArgumentException().isThrownBy(() -> ByteSize.parse(text)).withMessageContaining("too large");
    }
}
