package dev.postern.netty;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;

/**
 * {@code clientAuth OPTIONAL}: a client certificate that does not verify lets the client in, as
 * {@link dev.postern.tls.TlsConfig.ClientAuth#OPTIONAL} promises, with the verification error recorded in
 * the handshake session ({@link #ERROR_KEY}) for {@link dev.postern.tls.TlsInfo#peerCertificateError()}
 * (Halon's {@code tls.peercert.error}). The JDK alone fails the handshake of a client whose certificate
 * is untrusted even when the certificate was only wanted. Verification itself is the JDK's PKIX trust
 * manager's, over the client CA file or the default trust store.
 */
final class OptionalClientTrust extends X509ExtendedTrustManager {

    /** The handshake session value holding the verification error's message. */
    static final String ERROR_KEY = "dev.postern.peer-certificate-error";

    private final X509ExtendedTrustManager pkix;

    private OptionalClientTrust(X509ExtendedTrustManager pkix) {
        this.pkix = pkix;
    }

    /** Over the CAs of {@code caFile} (PEM), or the JDK's default trust store when null. */
    static OptionalClientTrust of(Path caFile) {
        try {
            KeyStore anchors = null;
            if (caFile != null) {
                anchors = KeyStore.getInstance(KeyStore.getDefaultType());
                anchors.load(null, null);
                try (InputStream in = Files.newInputStream(caFile)) {
                    int i = 0;
                    for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                        anchors.setCertificateEntry("ca-" + i++, c);
                    }
                }
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(anchors);
            for (TrustManager tm : factory.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager x) {
                    return new OptionalClientTrust(x);
                }
            }
            throw new IllegalStateException("no X.509 trust manager in the JDK");
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read the client CA file " + caFile + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        try {
            pkix.checkClientTrusted(chain, authType, engine);
        } catch (CertificateException e) {
            SSLSession handshake = engine.getHandshakeSession();
            if (handshake != null) {
                handshake.putValue(ERROR_KEY, String.valueOf(e.getMessage()));
            }
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        pkix.checkClientTrusted(chain, authType, socket); // the server uses engines, never sockets
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        pkix.checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        pkix.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        pkix.checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        pkix.checkServerTrusted(chain, authType);
    }

    /**
     * None named: the certificate request then lists no CAs, so a client offers its certificate whoever
     * issued it (a JDK client sends none that the list excludes), and the error can be told to hooks.
     */
    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
