package dev.postern.server.auth;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.bouncycastle.crypto.params.Argon2Parameters;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The password part of one users-file line. The hashes are verified by Bouncy Castle, never by code
 * of ours: bcrypt by {@link OpenBSDBCrypt}, Argon2id by {@link Argon2BytesGenerator}. A parse error's
 * message never quotes the text, which may be a password pasted by mistake.
 */
public sealed interface PasswordHash permits PasswordHash.Bcrypt, PasswordHash.Argon2id, PasswordHash.Plain {

    /** The prefix of a password kept in clear, for CRAM-MD5 (Dovecot's scheme syntax). */
    String PLAIN_PREFIX = "{plain}";

    /**
     * Whether {@code password} is the one this hash was made from. A {@link Plain} entry answers as the
     * others do, but {@link UsersAuthenticator} never asks it: a clear password serves CRAM-MD5 only.
     */
    boolean matches(String password);

    /**
     * The kind and cost parameters, the same for two hashes that cost the same time to verify; shown in
     * warnings (never the salt or the hash).
     */
    String cost();

    /** A hash of a random password with the same {@link #cost()}: what an unknown user is checked against. */
    PasswordHash dummy(SecureRandom random);

    /**
     * Parses the text after {@code user:}.
     *
     * @throws IllegalArgumentException with a message naming the problem, never the text
     */
    static PasswordHash parse(String text) {
        if (text.regionMatches(true, 0, PLAIN_PREFIX, 0, PLAIN_PREFIX.length())) {
            return Plain.parse(text.substring(PLAIN_PREFIX.length()));
        }
        if (text.startsWith("$2y$") || text.startsWith("$2b$") || text.startsWith("$2a$")) {
            return Bcrypt.parse(text);
        }
        if (text.startsWith("$argon2id$")) {
            return Argon2id.parse(text);
        }
        throw new IllegalArgumentException(unsupported(text));
    }

    /** Why a hash we do not verify is refused, naming its kind when it is a known one. */
    private static String unsupported(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        String kind;
        if (lower.startsWith("$apr1$")) {
            kind = "Apache MD5 ($apr1$, htpasswd -m)";
        } else if (lower.startsWith("{sha}")) {
            kind = "SHA-1 ({SHA}, htpasswd -s)";
        } else if (lower.startsWith("$1$") || lower.startsWith("$5$") || lower.startsWith("$6$")) {
            kind = "crypt(3) MD5/SHA-2 (" + text.substring(0, 3) + ")";
        } else if (lower.startsWith("$argon2i$") || lower.startsWith("$argon2d$")) {
            kind = "Argon2i/Argon2d (only Argon2id is accepted)";
        } else if (lower.startsWith("$2x$") || lower.startsWith("$2$")) {
            kind = "an old bcrypt variant";
        } else if (text.isEmpty()) {
            return "no password hash after the colon";
        } else {
            kind = "an unknown or clear-text form (clear passwords need the {plain} prefix)";
        }
        return "the password is " + kind + ": use bcrypt (htpasswd -B), Argon2id (a PHC string, $argon2id$...) "
                + "or, for CRAM-MD5 only, {plain}";
    }

    /**
     * bcrypt as {@code htpasswd -B} writes it: {@code $2y$05$} then 53 characters of salt and hash. The
     * cost is limited to what htpasswd allows (4 to 17): each step doubles the time of every AUTH.
     */
    record Bcrypt(String text, int costFactor) implements PasswordHash {

        static final int MIN_COST = 4;
        static final int MAX_COST = 17;
        private static final Pattern FORM = Pattern.compile("\\$(2[aby])\\$(\\d\\d)\\$[./A-Za-z0-9]{53}");

        static Bcrypt parse(String text) {
            Matcher m = FORM.matcher(text);
            if (!m.matches()) {
                throw new IllegalArgumentException("malformed bcrypt hash: expected $2y$NN$ and 53 characters of "
                        + "[./A-Za-z0-9], as htpasswd -B writes");
            }
            int cost = Integer.parseInt(m.group(2));
            if (cost < MIN_COST || cost > MAX_COST) {
                throw new IllegalArgumentException("bcrypt cost " + cost + " is outside " + MIN_COST + ".." + MAX_COST
                        + " (htpasswd -B -C takes the same range)");
            }
            return new Bcrypt(text, cost);
        }

        @Override
        public boolean matches(String password) {
            // OpenBSDBCrypt uses the UTF-8 octets and, like htpasswd, only the first 72 of them.
            return OpenBSDBCrypt.checkPassword(text, password.toCharArray());
        }

        @Override
        public String cost() {
            return "bcrypt cost " + costFactor;
        }

        @Override
        public PasswordHash dummy(SecureRandom random) {
            byte[] salt = new byte[16];
            random.nextBytes(salt);
            // The password no one knows: the salt's own text will do, since the salt is random and never shown.
            char[] password = Base64.getEncoder().encodeToString(salt).toCharArray();
            return parse(OpenBSDBCrypt.generate("2y", password, salt, costFactor));
        }

        @Override
        public String toString() {
            return cost();
        }
    }

    /**
     * Argon2id as a PHC string (RFC 9106; the reference implementation's and libsodium's form):
     * {@code $argon2id$v=19$m=65536,t=3,p=4$SALT$HASH}, salt and hash in base64 without padding. Each
     * verification allocates {@code m} KiB, so {@code m} is bounded, and {@link UsersAuthenticator}
     * bounds how many run at once.
     */
    record Argon2id(int version, int memoryKiB, int iterations, int parallelism, byte[] salt, byte[] hash)
            implements PasswordHash {

        /** 1 GiB: RFC 9106's second recommended option takes 64 MiB, its first (2 GiB) does not suit a mail server. */
        static final int MAX_MEMORY_KIB = 1 << 20;
        static final int MAX_ITERATIONS = 64;
        static final int MAX_PARALLELISM = 16;
        static final int MIN_SALT = 8;
        static final int MAX_BYTES = 256;
        private static final int MIN_HASH = 8;
        private static final Pattern FORM = Pattern.compile(
                "\\$argon2id(?:\\$v=(\\d{1,3}))?\\$m=(\\d{1,10}),t=(\\d{1,10}),p=(\\d{1,10})\\$([A-Za-z0-9+/]+)\\$([A-Za-z0-9+/]+)");

        static Argon2id parse(String text) {
            Matcher m = FORM.matcher(text);
            if (!m.matches()) {
                throw new IllegalArgumentException("malformed Argon2id hash: expected $argon2id$v=19$m=KIB,t=N,p=N$SALT$HASH "
                        + "(base64 without padding)");
            }
            int version = m.group(1) == null ? Argon2Parameters.ARGON2_VERSION_10 : Integer.parseInt(m.group(1));
            if (version != Argon2Parameters.ARGON2_VERSION_13 && version != Argon2Parameters.ARGON2_VERSION_10) {
                throw new IllegalArgumentException("Argon2id version v=" + version + " is unknown (19 or 16)");
            }
            long memory = Long.parseLong(m.group(2));
            long iterations = Long.parseLong(m.group(3));
            long parallelism = Long.parseLong(m.group(4));
            if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
                throw new IllegalArgumentException("Argon2id p=" + parallelism + " is outside 1.." + MAX_PARALLELISM);
            }
            if (memory < 8 * parallelism || memory > MAX_MEMORY_KIB) {
                throw new IllegalArgumentException("Argon2id m=" + memory + " is outside " + 8 * parallelism + ".."
                        + MAX_MEMORY_KIB + " KiB (each AUTH allocates it)");
            }
            if (iterations < 1 || iterations > MAX_ITERATIONS) {
                throw new IllegalArgumentException("Argon2id t=" + iterations + " is outside 1.." + MAX_ITERATIONS);
            }
            byte[] salt = base64(m.group(5), "salt");
            byte[] hash = base64(m.group(6), "hash");
            if (salt.length < MIN_SALT || salt.length > MAX_BYTES) {
                throw new IllegalArgumentException("Argon2id salt of " + salt.length + " octets is outside " + MIN_SALT
                        + ".." + MAX_BYTES);
            }
            if (hash.length < MIN_HASH || hash.length > MAX_BYTES) {
                throw new IllegalArgumentException("Argon2id hash of " + hash.length + " octets is outside " + MIN_HASH
                        + ".." + MAX_BYTES);
            }
            return new Argon2id(version, (int) memory, (int) iterations, (int) parallelism, salt, hash);
        }

        private static byte[] base64(String text, String what) {
            // PHC strings leave the padding out, which the JDK's decoder accepts; a length that no unpadded base64
            // has (4n + 1) it refuses.
            try {
                return Base64.getDecoder().decode(text);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Argon2id " + what + " is not base64");
            }
        }

        @Override
        public boolean matches(String password) {
            byte[] computed = compute(password.getBytes(StandardCharsets.UTF_8));
            return MessageDigest.isEqual(computed, hash);
        }

        private byte[] compute(byte[] password) {
            Argon2BytesGenerator generator = new Argon2BytesGenerator();
            generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                    .withVersion(version)
                    .withMemoryAsKB(memoryKiB)
                    .withIterations(iterations)
                    .withParallelism(parallelism)
                    .withSalt(salt)
                    .build());
            byte[] out = new byte[hash.length];
            generator.generateBytes(password, out);
            return out;
        }

        @Override
        public String cost() {
            return "argon2id m=" + memoryKiB + ",t=" + iterations + ",p=" + parallelism + ",len=" + hash.length;
        }

        @Override
        public PasswordHash dummy(SecureRandom random) {
            byte[] dummySalt = new byte[salt.length];
            byte[] dummyHash = new byte[hash.length];
            random.nextBytes(dummySalt);
            random.nextBytes(dummyHash);
            return new Argon2id(version, memoryKiB, iterations, parallelism, dummySalt, dummyHash);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Argon2id a && a.version == version && a.memoryKiB == memoryKiB && a.iterations == iterations
                    && a.parallelism == parallelism && Arrays.equals(a.salt, salt) && Arrays.equals(a.hash, hash);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(hash);
        }

        @Override
        public String toString() {
            return cost();
        }
    }

    /**
     * A password kept in clear, {@code {plain}secret}: only CRAM-MD5 needs it (RFC 2195: the server
     * computes the HMAC with the password itself), and only CRAM-MD5 may use it.
     */
    record Plain(String password) implements PasswordHash {

        static Plain parse(String password) {
            if (password.isEmpty()) {
                throw new IllegalArgumentException("empty {plain} password");
            }
            return new Plain(password);
        }

        @Override
        public boolean matches(String candidate) {
            return MessageDigest.isEqual(password.getBytes(StandardCharsets.UTF_8), candidate.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String cost() {
            return "{plain}";
        }

        @Override
        public PasswordHash dummy(SecureRandom random) {
            byte[] bytes = new byte[18];
            random.nextBytes(bytes);
            return new Plain(Base64.getEncoder().encodeToString(bytes));
        }

        @Override
        public String toString() {
            return "{plain} (hidden)";
        }
    }
}
