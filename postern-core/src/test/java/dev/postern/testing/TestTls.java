package dev.postern.testing;

import dev.postern.tls.TlsConfig;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;

/** Certificates and client-side TLS for tests: throw-away self-signed keys, trust-all clients, PEM files. */
public final class TestTls {

    /** One server key for the whole test run (generating is cheap, but there is no need to repeat it). */
    public static final TlsConfig.KeyMaterial SERVER = new TlsConfig.SelfSigned(List.of("mx.test", "127.0.0.1")).generate();

    private TestTls() {
    }

    /** TLS settings for a test server with the {@link #SERVER} key, to adjust or build. */
    public static TlsConfig.Builder serverTls() {
        return TlsConfig.keyMaterial(SERVER.privateKey(), SERVER.chain());
    }

    /** A client TLS context that trusts any server and presents {@code clientKey} if given (may be null). */
    public static SSLContext client(TlsConfig.KeyMaterial clientKey) throws GeneralSecurityException, IOException {
        KeyManager[] keys = null;
        if (clientKey != null) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("client", clientKey.privateKey(), new char[0], clientKey.chain().toArray(X509Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
            keys = kmf.getKeyManagers();
        }
        return trustingAnyServer(keys);
    }

    /** A client TLS context with these key managers (may be null) that trusts any server. */
    public static SSLContext trustingAnyServer(KeyManager[] keys) throws GeneralSecurityException {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(keys, new TrustManager[] {new TrustAll()}, null);
        return ctx;
    }

    /** Layers a client TLS handshake over an open connection (after STARTTLS's 220, or after a PROXY header). */
    public static SSLSocket handshake(Socket plain, SSLContext ctx) throws IOException {
        return handshake(plain, ctx, "mx.test");
    }

    /** As above, asking for {@code serverName} with SNI (null: no SNI at all). */
    public static SSLSocket handshake(Socket plain, SSLContext ctx, String serverName) throws IOException {
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(plain, serverName == null ? null : serverName, plain.getPort(), true);
        javax.net.ssl.SSLParameters params = s.getSSLParameters();
        params.setServerNames(serverName == null ? List.of() : List.of(new javax.net.ssl.SNIHostName(serverName)));
        s.setSSLParameters(params);
        s.setUseClientMode(true);
        s.startHandshake();
        return s;
    }

    /** Writes the certificate chain and the PKCS#8 key of {@code keys} as PEM files. */
    public static void writePem(TlsConfig.KeyMaterial keys, Path certFile, Path keyFile) throws Exception {
        StringBuilder chain = new StringBuilder();
        for (X509Certificate c : keys.chain()) {
            chain.append(pem("CERTIFICATE", c.getEncoded()));
        }
        Files.writeString(certFile, chain, StandardCharsets.US_ASCII);
        Files.writeString(keyFile, pem("PRIVATE KEY", keys.privateKey().getEncoded()), StandardCharsets.US_ASCII);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
