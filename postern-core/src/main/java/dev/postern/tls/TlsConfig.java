package dev.postern.tls;

import dev.postern.tls.internal.SelfSignedCertificates;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * How the server speaks TLS, for STARTTLS (RFC 3207) and for implicit-TLS listeners (RFC 8314,
 * "submissions" on port 465): where the key and certificate come from, which protocol versions and
 * cipher suites are allowed, whether client certificates are asked for, and the handshake bound.
 *
 * <p>PEM files are watched: when either file changes, new connections get the new certificate (so a
 * renewed certificate needs no restart); connections already open keep theirs. A file that cannot be
 * read or parsed at a reload is logged and the previous certificate is kept.
 *
 * @param keys            where the private key and certificate chain come from
 * @param protocols       TLS versions offered (default TLSv1.3 and TLSv1.2)
 * @param cipherSuites    JSSE cipher suite names to allow, or empty for the JDK's defaults
 * @param clientAuth      whether a client certificate is asked for (default {@link ClientAuth#NONE})
 * @param clientCaFile    PEM file of the CAs client certificates must chain to; null for the JDK's
 *                        default trust store (used only when {@code clientAuth} is not NONE)
 * @param handshakeTimeout a handshake that takes longer closes the connection (default 10 s)
 * @param reloadInterval  how often PEM files are checked for changes; zero never (default 60 s)
 * @param sni             other certificates by the host name a client asks for with SNI: an exact name
 *                        ({@code mail.example.org}) or a wildcard for one label ({@code *.example.org});
 *                        clients asking for another name, or none, get {@code keys}
 */
public record TlsConfig(KeySource keys, List<String> protocols, List<String> cipherSuites, ClientAuth clientAuth,
                        Path clientCaFile, Duration handshakeTimeout, Duration reloadInterval,
                        Map<String, KeySource> sni) {

    /** Where the server's private key and certificate chain come from. */
    public sealed interface KeySource permits PemFiles, KeyMaterial, SelfSigned {
    }

    /**
     * PEM files: the certificate chain (leaf first) and the private key (PKCS#8; PKCS#1 and SEC1 keys
     * need Bouncy Castle's {@code bcpkix} on the class path), with an optional password for an encrypted key.
     *
     * @param certificateChain the PEM file of the certificate chain, leaf first
     * @param privateKey       the PEM file of the private key
     * @param password         the password of an encrypted key, or null for a plain one
     */
    public record PemFiles(Path certificateChain, Path privateKey, String password) implements KeySource {
        /**
         * Checks that both files are named; they are read when the server is built.
         *
         * @throws NullPointerException if {@code certificateChain} or {@code privateKey} is null
         */
        public PemFiles {
            Objects.requireNonNull(certificateChain, "certificateChain");
            Objects.requireNonNull(privateKey, "privateKey");
        }
    }

    /**
     * A key and certificate chain (leaf first) already in memory, e.g. from a key store.
     *
     * @param privateKey the server's private key
     * @param chain      the certificate chain, leaf first (an unmodifiable copy)
     */
    public record KeyMaterial(PrivateKey privateKey, List<X509Certificate> chain) implements KeySource {
        /**
         * Checks the key and copies the chain.
         *
         * @throws IllegalArgumentException if {@code chain} is empty
         * @throws NullPointerException     if {@code privateKey} or {@code chain} is null, or the chain holds a null
         */
        public KeyMaterial {
            Objects.requireNonNull(privateKey, "privateKey");
            chain = List.copyOf(chain);
            if (chain.isEmpty()) {
                throw new IllegalArgumentException("the certificate chain is empty");
            }
        }
    }

    /**
     * A self-signed certificate for these names (DNS names or IP literals), generated at start-up. Fine
     * for opportunistic STARTTLS between MTAs (which rarely verify) and for tests; needs Bouncy
     * Castle's {@code bcpkix} on the class path.
     *
     * @param names the names the certificate is for; the first is also its subject's CN
     */
    public record SelfSigned(List<String> names) implements KeySource {
        /**
         * Copies the names.
         *
         * @throws IllegalArgumentException if {@code names} is empty
         * @throws NullPointerException     if {@code names} is or holds null
         */
        public SelfSigned {
            names = List.copyOf(names);
            if (names.isEmpty()) {
                throw new IllegalArgumentException("a self-signed certificate needs at least one name");
            }
        }

        /**
         * Generates the key and certificate now (an ECDSA P-256 key, valid for a year), for example to give a
         * test client the certificate to trust; needs Bouncy Castle's {@code bcpkix} on the class path.
         *
         * @return a new key and its one-certificate chain; each call generates another
         * @throws IllegalStateException if Bouncy Castle is missing or generation fails
         */
        public KeyMaterial generate() {
            return SelfSignedCertificates.generate(names);
        }
    }

    /** Whether the server asks for a client certificate during the handshake. */
    public enum ClientAuth {
        /** Never asks. */
        NONE,
        /** Asks; a client without one (or with an untrusted one) still gets in. */
        OPTIONAL,
        /** Asks; a client without a trusted certificate fails the handshake. */
        REQUIRE
    }

    /**
     * Validates the settings and copies the lists and the SNI map (names lower-cased).
     *
     * @throws IllegalArgumentException if there is no protocol or one does not start with {@code TLSv1},
     *                                  the handshake timeout is not positive, the reload interval is
     *                                  negative, or an SNI name is malformed or listed twice
     * @throws NullPointerException     if a setting other than {@code clientCaFile} is null
     */
    public TlsConfig {
        Objects.requireNonNull(keys, "keys");
        protocols = List.copyOf(protocols);
        if (protocols.isEmpty()) {
            throw new IllegalArgumentException("at least one TLS protocol version is required");
        }
        for (String p : protocols) {
            if (!p.startsWith("TLSv1")) {
                throw new IllegalArgumentException("unknown TLS protocol version '" + p + "' (TLSv1.2, TLSv1.3)");
            }
        }
        cipherSuites = List.copyOf(cipherSuites);
        Objects.requireNonNull(clientAuth, "clientAuth");
        Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
            throw new IllegalArgumentException("handshakeTimeout must be positive");
        }
        Objects.requireNonNull(reloadInterval, "reloadInterval");
        if (reloadInterval.isNegative()) {
            throw new IllegalArgumentException("reloadInterval must not be negative");
        }
        Map<String, KeySource> names = new LinkedHashMap<>();
        for (var e : sni.entrySet()) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            String bare = name.startsWith("*.") ? name.substring(2) : name;
            if (bare.isEmpty() || bare.contains("*") || bare.startsWith(".") || bare.endsWith(".")) {
                throw new IllegalArgumentException("bad SNI host name '" + e.getKey() + "' (a name, or *.name)");
            }
            if (names.put(name, Objects.requireNonNull(e.getValue(), "SNI keys")) != null) {
                throw new IllegalArgumentException("SNI host name listed twice: " + e.getKey());
            }
        }
        sni = java.util.Collections.unmodifiableMap(names);
    }

    /**
     * TLS with the certificate chain and key in these PEM files.
     *
     * @param certificateChain the PEM file of the certificate chain, leaf first
     * @param privateKey       the PEM file of the unencrypted private key
     * @return a builder with the defaults
     * @throws NullPointerException if either path is null
     */
    public static Builder pem(Path certificateChain, Path privateKey) {
        return new Builder(new PemFiles(certificateChain, privateKey, null));
    }

    /**
     * TLS with this key and certificate chain (leaf first).
     *
     * @param privateKey the server's private key
     * @param chain      the certificate chain, leaf first
     * @return a builder with the defaults
     * @throws IllegalArgumentException if {@code chain} is empty
     */
    public static Builder keyMaterial(PrivateKey privateKey, List<X509Certificate> chain) {
        return new Builder(new KeyMaterial(privateKey, chain));
    }

    /**
     * TLS with a certificate generated at start-up for these names (see {@link SelfSigned}).
     *
     * @param names DNS names or IP literals; the first is the subject's CN
     * @return a builder with the defaults
     * @throws IllegalArgumentException if no name is given
     */
    public static Builder selfSigned(String... names) {
        return new Builder(new SelfSigned(List.of(names)));
    }

    /**
     * TLS with keys from any source, e.g. an encrypted {@link PemFiles}.
     *
     * @param keys where the private key and certificate chain come from
     * @return a builder with the defaults
     */
    public static Builder builder(KeySource keys) {
        return new Builder(keys);
    }

    /** Builder with documented defaults. */
    public static final class Builder {
        private final KeySource keys;
        private List<String> protocols = List.of("TLSv1.3", "TLSv1.2");
        private List<String> cipherSuites = List.of();
        private ClientAuth clientAuth = ClientAuth.NONE;
        private Path clientCaFile;
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private Duration reloadInterval = Duration.ofSeconds(60);
        private final Map<String, KeySource> sni = new LinkedHashMap<>();

        private Builder(KeySource keys) {
            this.keys = keys;
        }

        /**
         * TLS versions offered. Default TLSv1.3 and TLSv1.2 (RFC 8996 retires the older ones).
         *
         * @param versions JSSE protocol names, e.g. {@code "TLSv1.3"}
         * @return this builder
         */
        public Builder protocols(String... versions) {
            this.protocols = List.of(versions);
            return this;
        }

        /**
         * JSSE cipher suite names allowed. Default: the JDK's defaults.
         *
         * @param suites the suite names, e.g. {@code TLS_AES_128_GCM_SHA256}; empty for the JDK's defaults
         * @return this builder
         */
        public Builder cipherSuites(List<String> suites) {
            this.cipherSuites = suites;
            return this;
        }

        /**
         * Whether to ask for client certificates. Default NONE.
         *
         * @param mode NONE, OPTIONAL or REQUIRE
         * @return this builder
         */
        public Builder clientAuth(ClientAuth mode) {
            this.clientAuth = mode;
            return this;
        }

        /**
         * PEM file of CAs that client certificates must chain to. Default: the JDK's trust store.
         *
         * @param file the CA certificates, or null for the JDK's trust store; used only when client
         *             certificates are asked for
         * @return this builder
         */
        public Builder clientCaFile(Path file) {
            this.clientCaFile = file;
            return this;
        }

        /**
         * Longest a handshake may take; then the connection is closed. Default 10 s.
         *
         * @param d a positive duration
         * @return this builder
         */
        public Builder handshakeTimeout(Duration d) {
            this.handshakeTimeout = d;
            return this;
        }

        /**
         * How often PEM files are checked for a renewed certificate; zero never. Default 60 s.
         *
         * @param d zero or a positive duration; the check runs when a connection starts TLS
         * @return this builder
         */
        public Builder reloadInterval(Duration d) {
            this.reloadInterval = d;
            return this;
        }

        /**
         * Serves {@code keys} to clients that ask for {@code hostName} (or a name under {@code *.domain}) with SNI.
         *
         * @param hostName an exact name ({@code mail.example.org}) or a wildcard for one label
         *                 ({@code *.example.org}); case is ignored
         * @param keys     the key and certificate for that name
         * @return this builder
         */
        public Builder sni(String hostName, KeySource keys) {
            this.sni.put(hostName, keys);
            return this;
        }

        /**
         * Builds the settings; the key and certificate are loaded later, when the server is built.
         *
         * @return the validated settings
         * @throws IllegalArgumentException if a setting is invalid (see the record's constructor)
         * @throws NullPointerException     if a required setting was set to null
         */
        public TlsConfig build() {
            return new TlsConfig(keys, protocols, cipherSuites, clientAuth, clientCaFile, handshakeTimeout, reloadInterval, sni);
        }
    }
}
