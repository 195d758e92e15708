package dev.postern.server.auth;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A users file, htpasswd-compatible: one {@code user:hash} per line ({@link PasswordHash}); blank lines
 * and lines starting with {@code #} are ignored, leading and trailing white space too (as Apache reads
 * it), and a CRLF line end is fine. User names are compared exactly (case matters, as in Apache).
 *
 * <p>Any bad line makes the whole file bad: a half-read users file would lock some users out silently.
 * Reading is bounded ({@link #MAX_LINE_OCTETS} per line, {@link #MAX_FILE_OCTETS} in all), and an error
 * names the line by number, never its text, which may hold a password.
 */
public final class UsersFile {

    /** A bcrypt line is about 70 octets, an Argon2id one about 130; anything near this is a mistake. */
    public static final int MAX_LINE_OCTETS = 1024;
    /** About 100,000 users. */
    public static final long MAX_FILE_OCTETS = 16L << 20;
    /** htpasswd's own limit on a user name. */
    static final int MAX_USER_OCTETS = 255;

    /** The cost of the dummy when the file holds no hash to copy: htpasswd -B's default. */
    private static final int DEFAULT_BCRYPT_COST = 5;

    private final Map<String, PasswordHash> users;
    private final PasswordHash dummy;
    private final List<String> warnings;

    private UsersFile(Map<String, PasswordHash> users, PasswordHash dummy, List<String> warnings) {
        this.users = users;
        this.dummy = dummy;
        this.warnings = warnings;
    }

    /**
     * Reads and checks {@code file}.
     *
     * @throws UsersFileException naming the file and, for a bad line, its number
     */
    public static UsersFile read(Path file) throws UsersFileException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            return parse(in, file.toString());
        } catch (IOException e) {
            throw new UsersFileException("cannot read users file " + file + ": " + e.getMessage() + " ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    /** Parses a users file from {@code in}; {@code name} names it in messages. */
    static UsersFile parse(InputStream in, String name) throws IOException, UsersFileException {
        Map<String, PasswordHash> users = new LinkedHashMap<>();
        Map<String, Integer> lineOf = new HashMap<>();
        LineReader lines = new LineReader(in, name);
        String line;
        while ((line = lines.next()) != null) {
            int number = lines.number();
            String where = name + " line " + number + ": ";
            String text = line.strip();
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            int colon = text.indexOf(':');
            if (colon < 0) {
                throw new UsersFileException(where + "expected user:hash (no colon)");
            }
            String user = text.substring(0, colon).strip();
            checkUser(user, where);
            PasswordHash hash;
            try {
                hash = PasswordHash.parse(text.substring(colon + 1).strip());
            } catch (IllegalArgumentException e) {
                throw new UsersFileException(where + "user " + user + ": " + e.getMessage());
            }
            Integer earlier = lineOf.putIfAbsent(user, number);
            if (earlier != null) {
                throw new UsersFileException(where + "user " + user + " is listed again (first on line " + earlier
                        + "): which password would count is not clear");
            }
            users.put(user, hash);
        }
        List<String> warnings = new ArrayList<>();
        return new UsersFile(Collections.unmodifiableMap(users), dummyFor(users, name, warnings), List.copyOf(warnings));
    }

    private static void checkUser(String user, String where) throws UsersFileException {
        if (user.isEmpty()) {
            throw new UsersFileException(where + "empty user name");
        }
        if (user.getBytes(StandardCharsets.UTF_8).length > MAX_USER_OCTETS) {
            throw new UsersFileException(where + "user name longer than " + MAX_USER_OCTETS + " octets");
        }
        if (user.codePoints().anyMatch(c -> c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))) {
            throw new UsersFileException(where + "control character in the user name");
        }
    }

    /**
     * The hash an unknown user is checked against: one with the cost that most users' hashes have, so
     * that "no such user" takes as long as "wrong password". Users whose hashes cost otherwise can be told
     * from unknown users by timing, hence the warning.
     */
    private static PasswordHash dummyFor(Map<String, PasswordHash> users, String name, List<String> warnings) {
        Map<String, Integer> count = new LinkedHashMap<>();
        Map<String, PasswordHash> example = new HashMap<>();
        for (PasswordHash hash : users.values()) {
            if (hash instanceof PasswordHash.Plain) {
                continue;
            }
            count.merge(hash.cost(), 1, Integer::sum);
            example.putIfAbsent(hash.cost(), hash);
        }
        SecureRandom random = new SecureRandom();
        if (count.isEmpty()) {
            return new PasswordHash.Bcrypt("", DEFAULT_BCRYPT_COST).dummy(random);
        }
        String most = Collections.max(count.entrySet(), Map.Entry.comparingByValue()).getKey();
        if (count.size() > 1) {
            warnings.add("users file " + name + " mixes hash costs (" + String.join(", ", count.keySet())
                    + "): an unknown user takes as long as one with " + most + ", so users with another cost can be "
                    + "told from unknown users by timing; give every user the same cost");
        }
        return example.get(most).dummy(random);
    }

    /** The user's entry, if the file lists the user (exact match). */
    public Optional<PasswordHash> lookup(String user) {
        return Optional.ofNullable(users.get(user));
    }

    /** A hash of a random password, costing as much as most users' hashes; never a {@link PasswordHash.Plain}. */
    public PasswordHash dummy() {
        return dummy;
    }

    public int size() {
        return users.size();
    }

    /** The users whose passwords are kept in clear ({@code {plain}}), in file order. */
    public List<String> plainUsers() {
        return users.entrySet().stream().filter(e -> e.getValue() instanceof PasswordHash.Plain).map(Map.Entry::getKey).toList();
    }

    /** Things that are allowed but weaken the file, for the log. */
    public List<String> warnings() {
        return warnings;
    }

    /** Reads lines of at most {@link #MAX_LINE_OCTETS} octets, and at most {@link #MAX_FILE_OCTETS} in all, as UTF-8. */
    private static final class LineReader {
        private final InputStream in;
        private final String name;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private long total;
        private int number;

        LineReader(InputStream in, String name) {
            this.in = in;
            this.name = name;
        }

        int number() {
            return number;
        }

        /** The next line without its LF (or CRLF), or null at the end. */
        String next() throws IOException, UsersFileException {
            line.reset();
            int b;
            boolean any = false;
            while ((b = in.read()) >= 0) {
                any = true;
                if (++total > MAX_FILE_OCTETS) {
                    throw new UsersFileException(name + " is larger than " + MAX_FILE_OCTETS + " octets");
                }
                if (b == '\n') {
                    break;
                }
                if (line.size() >= MAX_LINE_OCTETS) {
                    throw new UsersFileException(name + " line " + (number + 1) + ": longer than " + MAX_LINE_OCTETS + " octets");
                }
                line.write(b);
            }
            if (!any) {
                return null;
            }
            number++;
            byte[] bytes = line.toByteArray();
            int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes, 0, length))
                        .toString();
            } catch (CharacterCodingException e) {
                throw new UsersFileException(name + " line " + number + ": not UTF-8");
            }
        }
    }
}
