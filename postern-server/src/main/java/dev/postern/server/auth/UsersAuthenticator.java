package dev.postern.server.auth;

import dev.postern.auth.AuthMechanism;
import dev.postern.auth.Credentials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.function.BiPredicate;

/**
 * Checks AUTH credentials against a users file ({@link UsersFile}), for {@code postern serve --users}.
 *
 * <ul>
 *   <li>PLAIN and LOGIN are verified against the user's bcrypt or Argon2id hash. A user the file does
 *       not list is verified against a dummy hash of the same cost, and a {@code {plain}} user against
 *       it too (a clear password serves CRAM-MD5 only: it is kept in clear because CRAM-MD5 needs it, not
 *       to be an everyday password), so that every refusal takes the time of a hash: no telling users
 *       apart by timing.</li>
 *   <li>CRAM-MD5 is an HMAC keyed with the clear password, so only {@code {plain}} users can use it; for
 *       the others and for unknown users the HMAC is computed with a random password, again the same
 *       time.</li>
 *   <li>XOAUTH2 is never accepted: a users file holds passwords, not a way to check OAuth tokens
 *       ({@code postern serve} refuses to offer it).</li>
 *   <li>PLAIN's authorization identity, when given, must be the user itself: the file grants no one the
 *       right to act as another.</li>
 * </ul>
 *
 * <p>The file is re-read when its modification time, size, identity (inode) or permissions change, checked
 * with one {@code stat} per AUTH. A file that became bad (unreadable, too open, a bad line) keeps the users
 * read before, and is reported in one log line until it changes again. Hash verifications run at most one per
 * processor at once: they are pure CPU work, and an Argon2id one holds its memory cost while it runs.
 * Nothing here logs a password, a hash or a line of the file.
 */
public final class UsersAuthenticator {

    private static final Logger LOG = LoggerFactory.getLogger(UsersAuthenticator.class);

    /** What an AUTH came to: the identity to record, or why it was refused (for the log, never for the client). */
    public record Outcome(String identity, String refusal) {
        static Outcome accepted(String identity) {
            return new Outcome(Objects.requireNonNull(identity), null);
        }

        static Outcome refused(String why) {
            return new Outcome(null, why);
        }

        public boolean accepted() {
            return identity != null;
        }
    }

    /** What identifies one version of the file, as cheaply as a stat. */
    private record Stamp(FileTime modified, long size, Object fileKey, Set<PosixFilePermission> permissions) {
    }

    /** A file that cannot be looked at (gone, or its directory closed). */
    private static final Stamp UNREADABLE = new Stamp(null, -1, null, null);

    private record Loaded(UsersFile users, Stamp stamp) {
    }

    private final Path file;
    private final Semaphore verifications;
    private final SecureRandom random = new SecureRandom();
    private final Object reloading = new Object();
    private volatile Loaded current;
    /** The stamp of the last version that could not be used, so that it is reported once, not at every AUTH. */
    private volatile Stamp refused;

    /** How a password is checked against a hash: {@link PasswordHash#matches}; tests watch it. */
    private final BiPredicate<PasswordHash, String> check;

    private UsersAuthenticator(Path file, Loaded loaded, int maxVerifications, BiPredicate<PasswordHash, String> check) {
        this.file = file;
        this.current = loaded;
        this.verifications = new Semaphore(maxVerifications);
        this.check = check;
    }

    /**
     * Reads {@code file} at start: a file that is missing, bad, or readable or writable by group or others
     * is refused.
     *
     * @throws UsersFileException one line saying what is wrong
     */
    public static UsersAuthenticator open(Path file) throws UsersFileException {
        return open(file, PasswordHash::matches);
    }

    static UsersAuthenticator open(Path file, BiPredicate<PasswordHash, String> check) throws UsersFileException {
        return new UsersAuthenticator(file, load(file), Math.max(1, Runtime.getRuntime().availableProcessors()), check);
    }

    /** Verifications that could start now without waiting; for tests. */
    int idleVerifications() {
        return verifications.availablePermits();
    }

    /** The users read last. */
    public UsersFile users() {
        return current.users();
    }

    /** The file these users come from. */
    public Path file() {
        return file;
    }

    /**
     * What an operator should hear at start, for these mechanisms.
     *
     * @param mechanisms the mechanisms offered
     */
    public List<String> warnings(List<AuthMechanism> mechanisms) throws IOException {
        UsersFile users = current.users();
        List<String> warnings = new ArrayList<>(users.warnings());
        if (FilePermissions.check(file) instanceof FilePermissions.NotPosix) {
            warnings.add("users file " + file + ": this file system has no POSIX permissions, so whether other users "
                    + "can read it was not checked; keep it where only this server's user can");
        }
        if (users.size() == 0) {
            warnings.add("users file " + file + " lists no user: every AUTH will fail");
        }
        List<String> plain = users.plainUsers();
        if (!plain.isEmpty()) {
            warnings.add("users file " + file + ": " + plain.size() + " user(s) with a {plain} password kept in clear ("
                    + String.join(", ", plain.subList(0, Math.min(5, plain.size()))) + (plain.size() > 5 ? ", ..." : "")
                    + "), accepted with CRAM-MD5 only" + (mechanisms.contains(AuthMechanism.CRAM_MD5) ? ""
                    : ", which --auth-mechanisms does not offer: they cannot authenticate"));
        } else if (mechanisms.contains(AuthMechanism.CRAM_MD5)) {
            warnings.add("--auth-mechanisms offers CRAM-MD5 but users file " + file + " has no {plain} password, which "
                    + "CRAM-MD5 needs: every CRAM-MD5 attempt will fail");
        }
        return warnings;
    }

    /**
     * Checks {@code credentials}, reloading the file first if it changed.
     *
     * @throws InterruptedException if the wait for a verification slot is interrupted
     */
    public Outcome authenticate(Credentials credentials) throws InterruptedException {
        UsersFile users = fresh();
        return switch (credentials) {
            case Credentials.Password p -> password(users, p);
            case Credentials.CramMd5 c -> cramMd5(users, c);
            case Credentials.BearerToken t -> Outcome.refused("XOAUTH2 tokens cannot be checked against a users file");
        };
    }

    private Outcome password(UsersFile users, Credentials.Password credentials) throws InterruptedException {
        String user = credentials.username();
        PasswordHash entry = users.lookup(user).orElse(null);
        // The same work whatever the outcome: a hash of the same cost is verified in every case.
        PasswordHash checked = entry == null || entry instanceof PasswordHash.Plain ? users.dummy() : entry;
        boolean matches = verify(checked, credentials.password());
        if (entry == null) {
            return Outcome.refused("no such user in the users file");
        }
        if (entry instanceof PasswordHash.Plain) {
            return Outcome.refused("the user's password is {plain}, accepted with CRAM-MD5 only");
        }
        if (!matches) {
            return Outcome.refused("wrong password");
        }
        String authorization = credentials.authorizationId();
        if (authorization != null && !authorization.isEmpty() && !authorization.equals(user)) {
            return Outcome.refused("asked to act as another identity, which the users file grants no one");
        }
        return Outcome.accepted(user);
    }

    private Outcome cramMd5(UsersFile users, Credentials.CramMd5 credentials) {
        PasswordHash entry = users.lookup(credentials.username()).orElse(null);
        String key = entry instanceof PasswordHash.Plain plain ? plain.password() : randomPassword();
        boolean matches = credentials.verify(key);
        if (entry == null) {
            return Outcome.refused("no such user in the users file");
        }
        if (!(entry instanceof PasswordHash.Plain)) {
            return Outcome.refused("CRAM-MD5 needs a {plain} password and the user's is hashed");
        }
        return matches ? Outcome.accepted(credentials.username()) : Outcome.refused("wrong password");
    }

    private String randomPassword() {
        byte[] bytes = new byte[18];
        random.nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    private boolean verify(PasswordHash hash, String password) throws InterruptedException {
        verifications.acquire();
        try {
            return check.test(hash, password);
        } catch (RuntimeException e) {
            // Bouncy Castle refuses some inputs (e.g. an empty bcrypt password): a refusal, not a server fault.
            return false;
        } finally {
            verifications.release();
        }
    }

    /** The users, re-read first when the file changed since it was last read (or last refused). */
    private UsersFile fresh() {
        Loaded loaded = current;
        Stamp now = stampOrUnreadable(file);
        if (now.equals(loaded.stamp()) || now.equals(refused)) {
            return loaded.users();
        }
        synchronized (reloading) {
            // Another AUTH may have reloaded it, or refused it, meanwhile.
            loaded = current;
            now = stampOrUnreadable(file);
            if (now.equals(loaded.stamp()) || now.equals(refused)) {
                return loaded.users();
            }
            try {
                Loaded next = load(file);
                current = next;
                refused = null;
                LOG.info("users file {} reloaded: {} user(s)", file, next.users().size());
                next.users().warnings().forEach(LOG::warn);
                return next.users();
            } catch (UsersFileException e) {
                LOG.warn("{}; keeping the {} user(s) read before", e.getMessage(), loaded.users().size());
                refused = now;
                return loaded.users();
            }
        }
    }

    private static Loaded load(Path file) throws UsersFileException {
        Stamp before;
        try {
            if (!Files.isRegularFile(file)) {
                throw new UsersFileException("users file " + file + " is missing or not a regular file");
            }
            if (FilePermissions.check(file) instanceof FilePermissions.TooOpen open) {
                throw new UsersFileException(open.reason());
            }
            before = stamp(file);
        } catch (IOException e) {
            throw new UsersFileException("cannot read users file " + file + ": " + e.getMessage() + " ("
                    + e.getClass().getSimpleName() + ")");
        }
        UsersFile users = UsersFile.read(file);
        // Changed while it was read (being written): what was read may be half of it, so the next AUTH reads it again.
        Stamp after = stampOrUnreadable(file);
        return new Loaded(users, after.equals(before) ? before : unsettled());
    }

    /** A stamp no file has: the version read is not known. */
    private static Stamp unsettled() {
        return new Stamp(null, -2, new Object(), null);
    }

    private static Stamp stampOrUnreadable(Path file) {
        try {
            return stamp(file);
        } catch (IOException e) {
            return UNREADABLE;
        }
    }

    private static Stamp stamp(Path file) throws IOException {
        BasicFileAttributes attributes;
        Set<PosixFilePermission> permissions = null;
        try {
            PosixFileAttributes posix = Files.readAttributes(file, PosixFileAttributes.class);
            attributes = posix;
            permissions = posix.permissions();
        } catch (UnsupportedOperationException e) {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        }
        return new Stamp(attributes.lastModifiedTime(), attributes.size(), attributes.fileKey(), permissions);
    }
}
