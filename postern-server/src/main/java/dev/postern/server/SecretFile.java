package dev.postern.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A password kept in a file rather than on the command line, where any user could read it with
 * {@code ps}: the file's first line, without its line end.
 */
final class SecretFile {

    private SecretFile() {
    }

    /**
     * @param file   the file
     * @param flag   its flag or config key, for the error message
     * @param secret what the first line is, for the error message (e.g. "the key's password")
     * @throws IllegalArgumentException when it cannot be read or is empty, in one line naming the flag
     */
    static String firstLine(Path file, String flag, String secret) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException("cannot read the " + flag + " file " + file);
        }
        try (BufferedReader reader = Files.newBufferedReader(file)) {
            String line = reader.readLine();
            if (line == null) {
                throw new IllegalArgumentException("the " + flag + " " + file + " is empty: its first line is " + secret);
            }
            return line;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the " + flag + " " + file + ": " + e.getMessage()
                    + " (" + e.getClass().getSimpleName() + ")");
        }
    }
}
