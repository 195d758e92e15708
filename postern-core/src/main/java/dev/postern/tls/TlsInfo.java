package dev.postern.tls;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Objects;
import java.util.List;
import java.util.Optional;

/**
 * The TLS layer of a session, once its handshake is done.
 *
 * @param protocol           the negotiated version, e.g. {@code TLSv1.3}
 * @param cipherSuite        the negotiated cipher suite, e.g. {@code TLS_AES_256_GCM_SHA384}
 * @param peerCertificates   the client's certificate chain (leaf first), empty when it sent none
 * @param serverName         the host name the client asked for with SNI, or null
 * @param implicit           true for TLS from the first byte (implicit-TLS listener), false after STARTTLS
 * @param keySize            the cipher's symmetric key size in bits (Halon's {@code tls.keysize}), e.g. 256
 *                           for {@code TLS_AES_256_GCM_SHA384}; 0 when the suite's name does not tell
 * @param establishedAt      when the handshake completed (MidiSmtpServer's {@code encrypted} time), from
 *                           the server's clock
 * @param peerCertificateError why the client's certificate did not verify (Halon's
 *                           {@code tls.peercert.error}), or null when it verified or none was sent; only
 *                           with {@link TlsConfig.ClientAuth#OPTIONAL}, which lets such a client in (with
 *                           REQUIRE it fails the handshake)
 */
public record TlsInfo(String protocol, String cipherSuite, List<X509Certificate> peerCertificates, String serverName,
                      boolean implicit, int keySize, Instant establishedAt, String peerCertificateError) {

    /**
     * Copies the certificate chain.
     *
     * @throws NullPointerException if {@code peerCertificates} is or holds null, or {@code establishedAt} is null
     */
    public TlsInfo {
        peerCertificates = List.copyOf(peerCertificates);
        Objects.requireNonNull(establishedAt, "establishedAt");
    }

    /**
     * The details of earlier releases: the key size is read from the suite's name, the time is
     * {@link Instant#EPOCH} (unknown), and no certificate error.
     *
     * @param protocol         the negotiated version
     * @param cipherSuite      the negotiated cipher suite
     * @param peerCertificates the client's certificate chain (leaf first), empty when it sent none
     * @param serverName       the SNI host name, or null
     * @param implicit         true for implicit TLS, false after STARTTLS
     * @throws NullPointerException if {@code peerCertificates} is or holds null
     */
    public TlsInfo(String protocol, String cipherSuite, List<X509Certificate> peerCertificates, String serverName,
                   boolean implicit) {
        this(protocol, cipherSuite, peerCertificates, serverName, implicit, keySizeOf(cipherSuite), Instant.EPOCH, null);
    }

    /**
     * The symmetric key size of a cipher suite, read from its IANA / JSSE name, as OpenSSL reports it.
     *
     * @param cipherSuite e.g. {@code TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}
     * @return the size in bits (AES_128: 128, AES_256 and CHACHA20: 256, 3DES_EDE: 168, ...), or 0 when
     *         the name does not tell (null, NULL ciphers, unknown names)
     */
    public static int keySizeOf(String cipherSuite) {
        if (cipherSuite == null) {
            return 0;
        }
        String name = cipherSuite.toUpperCase(java.util.Locale.ROOT);
        if (name.contains("CHACHA20")) {
            return 256;
        }
        if (name.contains("3DES_EDE")) {
            return 168;
        }
        java.util.regex.Matcher m = KEY_SIZE.matcher(name);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    /** The bulk cipher and its size in the suite name: {@code _AES_256_}, {@code _CAMELLIA_128_}, {@code _ARIA_256_}, {@code _RC4_128_}, ... */
    private static final java.util.regex.Pattern KEY_SIZE =
            java.util.regex.Pattern.compile("_(?:AES|CAMELLIA|ARIA|SM4|RC4|SEED|IDEA|DES40|DES)_(\\d+)(?:_|$)");

    /**
     * Whether the client presented a certificate that verified against the trusted CAs.
     *
     * @return true if a certificate was sent and {@link #peerCertificateError()} is null
     */
    public boolean peerCertificateVerified() {
        return !peerCertificates.isEmpty() && peerCertificateError == null;
    }

    /**
     * The SNI host name, when the client sent one.
     *
     * @return {@code serverName}, or empty
     */
    public Optional<String> requestedServerName() {
        return Optional.ofNullable(serverName);
    }

    /**
     * The client certificate's subject, when the client presented one.
     *
     * @return the leaf certificate's subject as an RFC 2253 distinguished name, or empty
     */
    public Optional<String> peerSubject() {
        return peerCertificates.isEmpty() ? Optional.empty()
                : Optional.of(peerCertificates.getFirst().getSubjectX500Principal().getName());
    }

    @Override
    public String toString() {
        return protocol + " with cipher " + cipherSuite + (peerCertificates.isEmpty() ? "" : ", client " + peerSubject().orElseThrow());
    }
}
