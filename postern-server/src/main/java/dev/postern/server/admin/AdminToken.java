package dev.postern.server.admin;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * The secret an admin action must carry, read from the first line of a file (never from the command line,
 * where {@code ps} would show it). Compared in constant time, so that the time an answer takes tells
 * nothing of how much of a guess was right.
 */
public final class AdminToken {

    /** The shortest token accepted: a guessable one would make the actions public. */
    public static final int MIN_LENGTH = 16;

    private final byte[] secret;

    private AdminToken(byte[] secret) {
        this.secret = secret;
    }

    /**
     * Reads the first line of {@code file}, without its line end and surrounding blanks.
     *
     * @param file the token file
     * @return the token
     * @throws IllegalArgumentException when the file cannot be read, or its first line is shorter than
     *                                  {@link #MIN_LENGTH} or holds characters other than visible ASCII
     */
    public static AdminToken read(Path file) {
        String line;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            line = reader.readLine();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the --admin-token-file " + file + ": " + e.getMessage()
                    + " (" + e.getClass().getSimpleName() + ")");
        }
        String token = line == null ? "" : line.strip();
        if (token.length() < MIN_LENGTH) {
            throw new IllegalArgumentException("the --admin-token-file " + file + " must hold a token of at least "
                    + MIN_LENGTH + " characters on its first line (e.g. from: openssl rand -hex 24)");
        }
        if (token.chars().anyMatch(c -> c <= ' ' || c > '~')) {
            throw new IllegalArgumentException("the token in --admin-token-file " + file
                    + " may only hold visible ASCII characters (it is sent in an HTTP header)");
        }
        return new AdminToken(token.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * @param presented what a request carried, or null
     * @return whether it is the token; constant time for a given token length
     */
    public boolean matches(String presented) {
        if (presented == null) {
            return false;
        }
        return MessageDigest.isEqual(secret, presented.getBytes(StandardCharsets.US_ASCII));
    }

    /** @return the token, for the command line's request header */
    public String value() {
        return new String(secret, StandardCharsets.US_ASCII);
    }

    @Override
    public String toString() {
        return "AdminToken[hidden]";
    }
}
