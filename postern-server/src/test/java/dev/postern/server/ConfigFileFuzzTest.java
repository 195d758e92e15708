package dev.postern.server;

import com.code_intelligence.jazzer.junit.FuzzTest;
import picocli.CommandLine.ParameterException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzzes {@code postern serve --config FILE}: the YAML config file (SnakeYAML with duplicate keys refused,
 * {@link ConfigFile}'s listen entries, TLS mapping, SOCKS5 entries) and the flag converters its values go
 * through, up to the resolved settings; nothing is started.
 *
 * <p>Invariants: any file gives settings or a usage error (exit 2), never another exception; the error is
 * one line (the launcher prints exactly one) that names the file; and resolved settings are complete.
 */
class ConfigFileFuzzTest {

    private static final Path FILE;

    static {
        try {
            FILE = Files.createTempFile("postern-fuzz", ".yml");
            FILE.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "5m")
    void configFile(byte[] input) throws IOException {
        Files.write(FILE, input);
        ServeSettings settings;
        try {
            settings = ServeCommandTest.settings("--config", FILE.toString());
        } catch (ParameterException e) {
            String message = e.getMessage();
            check(message != null && message.contains(FILE.toString()), "the error does not name the file: " + message);
            check(message.indexOf('\n') < 0 && message.indexOf('\r') < 0, "the error is not one line: " + message);
            return;
        }
        check(settings.server() != null && !settings.server().listeners().isEmpty(), "settings without a listener");
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }
}
