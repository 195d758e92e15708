package dev.postern.testing;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Line-level SMTP over a socket that can switch to TLS half way (after STARTTLS's 220) or speak it from
 * the first byte: what a test of the TLS and AUTH rules needs and {@link RawSmtpClient} cannot do. The
 * client side of TLS is set up by the test (versions, cipher suites, a client certificate or none).
 */
public final class SmtpLines implements AutoCloseable {

    private final Socket plain;
    private Socket current;
    private InputStream in;
    private OutputStream out;

    private SmtpLines(Socket plain) throws IOException {
        this.plain = plain;
        use(plain);
    }

    /** A plain connection to 127.0.0.1:{@code port}, reads time out after 10 s. */
    public static SmtpLines connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
        s.setSoTimeout(10_000);
        return new SmtpLines(s);
    }

    /** A client handshake with {@code ctx} over this connection, as set up by {@code client}; SNI name mx.test. */
    public SSLSocket startTls(SSLContext ctx, ClientSetup client) throws IOException {
        SSLSocket tls = (SSLSocket) ctx.getSocketFactory().createSocket(current, "mx.test", current.getPort(), true);
        SSLParameters params = tls.getSSLParameters();
        params.setServerNames(List.of(new SNIHostName("mx.test")));
        tls.setSSLParameters(params);
        tls.setUseClientMode(true);
        client.setUp(tls);
        tls.startHandshake();
        use(tls);
        return tls;
    }

    /** A client handshake with {@code ctx} and the client's defaults. */
    public SSLSocket startTls(SSLContext ctx) throws IOException {
        return startTls(ctx, tls -> { });
    }

    /** Sends {@code line} and CRLF, returns the reply. */
    public String cmd(String line) throws IOException {
        send(line + "\r\n");
        return reply();
    }

    public SmtpLines send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.UTF_8));
    }

    public SmtpLines send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** One complete reply, lines joined with "\n"; an IOException if the connection ends first. */
    public String reply() throws IOException {
        return SmtpReplyReader.reply(in);
    }

    /** True if the server closed the connection (EOF or reset) within the read timeout. */
    public boolean isClosedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            current.close();
        } finally {
            plain.close();
        }
    }

    private void use(Socket s) throws IOException {
        current = s;
        in = s.getInputStream();
        out = s.getOutputStream();
    }

    /** What a test changes on the client's TLS socket before the handshake. */
    @FunctionalInterface
    public interface ClientSetup {
        void setUp(SSLSocket tls) throws IOException;
    }
}
