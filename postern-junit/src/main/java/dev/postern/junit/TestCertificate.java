package dev.postern.junit;

import dev.postern.tls.TlsConfig;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The certificate of every TLS test server of the JVM: generated once (ECDSA P-256, for localhost,
 * 127.0.0.1 and ::1; Bouncy Castle, through postern-core), so that a per-test server does not pay for a
 * key pair each time, and a client trusts it with the context made here.
 */
final class TestCertificate {

    static final List<String> NAMES = List.of("localhost", "127.0.0.1", "::1");

    private static TestCertificate instance;

    final TlsConfig.KeyMaterial keys;
    final KeyStore trustStore;
    final SSLContext clientContext;

    private TestCertificate(TlsConfig.KeyMaterial keys) {
        this.keys = keys;
        try {
            trustStore = KeyStore.getInstance(KeyStore.getDefaultType());
            trustStore.load(null, null);
            trustStore.setCertificateEntry("postern-test-server", keys.chain().getFirst());
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trustStore);
            clientContext = SSLContext.getInstance("TLS");
            clientContext.init(null, trust.getTrustManagers(), null);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build the client trust for the test certificate: " + e.getMessage(), e);
        }
    }

    static synchronized TestCertificate get() {
        if (instance == null) {
            instance = new TestCertificate(new TlsConfig.SelfSigned(NAMES).generate());
        }
        return instance;
    }

    X509Certificate certificate() {
        return keys.chain().getFirst();
    }
}
