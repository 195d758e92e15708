package dev.postern.server.auth;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes the users file of {@code postern serve --users FILE} ({@link UsersFile}: lines, user names, and the
 * bcrypt, Argon2id and {@code {plain}} entries each parses).
 *
 * <p>Invariants: any file gives users or a {@link UsersFileException}, never another exception; the error
 * is one line naming the file; it never quotes what follows a user's colon (a hash or a clear password must
 * not reach a log line); every user read back has a name that is not empty, holds no control character and
 * fits {@link UsersFile#MAX_USER_OCTETS}; the dummy an unknown user is checked against is never a clear
 * password. Bcrypt entries of a high cost are slow by design, so the fuzzer's inputs keep their cost field as
 * it finds it: a slow input is not a finding.
 */
class UsersFileFuzzTest {

    private static final String NAME = "users.fuzz";

    @FuzzTest(maxDuration = "5m")
    void usersFile(byte[] input) throws IOException {
        UsersFile users;
        try {
            users = UsersFile.parse(new ByteArrayInputStream(input), NAME);
        } catch (UsersFileException e) {
            String message = e.getMessage();
            check(message != null && message.startsWith(NAME), "the error does not name the file: " + message);
            check(message.indexOf('\n') < 0 && message.indexOf('\r') < 0, "the error is not one line: " + message);
            for (String secret : secrets(input)) {
                check(!message.contains(secret), "the error quotes a line's secret part: " + message);
            }
            return;
        }
        for (String user : users(input)) {
            users.lookup(user).ifPresent(hash -> check(!user.isEmpty()
                            && user.getBytes(StandardCharsets.UTF_8).length <= UsersFile.MAX_USER_OCTETS
                            && user.codePoints().noneMatch(c -> c < 0x20 || c == 0x7f),
                    "a user name that should have been refused was read: " + user));
        }
        check(!(users.dummy() instanceof PasswordHash.Plain), "the dummy is a clear password");
        check(users.plainUsers().size() <= users.size(), "more {plain} users than users");
    }

    /** What follows the colon of each line, where it is long enough to be told from ordinary message text. */
    private static java.util.List<String> secrets(byte[] input) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (String line : new String(input, StandardCharsets.UTF_8).split("\r?\n|\r")) {
            int colon = line.indexOf(':');
            if (colon >= 0) {
                String rest = line.substring(colon + 1).strip();
                if (rest.length() >= 12) {
                    out.add(rest);
                }
            }
        }
        return out;
    }

    private static java.util.List<String> users(byte[] input) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (String line : new String(input, StandardCharsets.UTF_8).split("\r?\n|\r")) {
            int colon = line.strip().indexOf(':');
            if (colon > 0) {
                out.add(line.strip().substring(0, colon).strip());
            }
        }
        return out;
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }
}
