package dev.postern.interop;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;

/**
 * An SMTP client inside implicit TLS (port-465 style), for a proxy that terminates TLS and passes plain
 * SMTP on. It trusts any certificate: the peer is a test proxy with a throw-away self-signed one.
 */
final class TlsSmtpClient implements AutoCloseable {

    private final SSLSocket socket;
    private final InputStream in;
    private final OutputStream out;

    /** Connects from {@code fromAddress} to 127.0.0.1:{@code port} and handshakes, sending {@code sni}. */
    TlsSmtpClient(String fromAddress, int port, String sni) throws IOException, GeneralSecurityException {
        this(fromAddress, port, sni, null);
    }

    /** As above, presenting the client certificate of {@code keys} when the server asks for one. */
    TlsSmtpClient(String fromAddress, int port, String sni, KeyManager[] keys) throws IOException, GeneralSecurityException {
        Socket plain = new Socket();
        plain.bind(new InetSocketAddress(InetAddress.getByName(fromAddress), 0));
        plain.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
        plain.setSoTimeout(10_000);
        SSLContext tls = dev.postern.testing.TestTls.trustingAnyServer(keys);
        socket = (SSLSocket) tls.getSocketFactory().createSocket(plain, sni, port, true);
        SSLParameters params = socket.getSSLParameters();
        params.setServerNames(List.of(new SNIHostName(sni)));
        socket.setSSLParameters(params);
        socket.setUseClientMode(true);
        socket.startHandshake();
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    int localPort() {
        return socket.getLocalPort();
    }

    SSLSession tlsSession() {
        return socket.getSession();
    }

    /** Sends a line with CRLF and returns the reply. */
    String cmd(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        return reply();
    }

    /** Reads one complete (possibly multi-line) reply, lines joined with "\n". */
    String reply() throws IOException {
        return dev.postern.testing.SmtpReplyReader.reply(in);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
