package dev.postern.tls;

import java.security.cert.X509Certificate;
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
 */
public record TlsInfo(String protocol, String cipherSuite, List<X509Certificate> peerCertificates, String serverName,
                      boolean implicit) {

    /**
     * Copies the certificate chain.
     *
     * @throws NullPointerException if {@code peerCertificates} is or holds null
     */
    public TlsInfo {
        peerCertificates = List.copyOf(peerCertificates);
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
