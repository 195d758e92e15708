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
            // The format hints name the form a hash must have; what is left must not hold any line's secret.
            String ownWords = message.replace("$argon2id$v=19$m=KIB,t=N,p=N$SALT$HASH", "").replace("$2y$NN$", "");
            java.util.regex.Matcher numbered = java.util.regex.Pattern.compile("^" + java.util.regex.Pattern.quote(NAME)
                    + " line (\\d+): ").matcher(message);
            if (numbered.find()) {
                String[] entry = entry(input, Integer.parseInt(numbered.group(1)));
                if (entry != null) {
                    // the user name is quoted on purpose (it is no secret), and may happen to hold the secret's text
                    String withoutUser = ownWords.replace(entry[0], "");
                    check(!withoutUser.contains(entry[1]), "the error quotes the line's secret part: " + message);
                }
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

    /**
     * Line {@code number} (as the reader counts: LF ends a line, a CR before it is dropped) as its user and what
     * follows its colon; null when there is no such line, no colon, or too short a rest to be told from
     * ordinary message text.
     */
    private static String[] entry(byte[] input, int number) {
        String[] lines = new String(input, StandardCharsets.UTF_8).split("\n", -1);
        if (number < 1 || number > lines.length) {
            return null;
        }
        String text = lines[number - 1].strip();
        int colon = text.indexOf(':');
        if (colon <= 0) {
            return null;
        }
        String rest = text.substring(colon + 1).strip();
        return rest.length() >= 12 ? new String[] {text.substring(0, colon).strip(), rest} : null;
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
