package dev.postern.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.ParameterException;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Plain tests for what ConfigFileFuzzTest found (the inputs are in its corpus too). */
class ConfigFileFuzzFindingsTest {

    @TempDir
    Path dir;

    @Test
    void aYamlProblemOverSeveralLinesIsReportedOnOne() throws Exception {
        Path file = dir.resolve("postern.yml");
        Files.writeString(file, "relay: \"smtp://smarthost.example.net:587\"&\ndomains: [example.org]\n");
        assertThatThrownBy(() -> ServeCommandTest.settings("--config", file.toString()))
                .isInstanceOf(ParameterException.class)
                .hasMessageContaining(file + " line 1")
                .satisfies(e -> org.assertj.core.api.Assertions.assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
