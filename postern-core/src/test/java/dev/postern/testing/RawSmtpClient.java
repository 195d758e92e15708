package dev.postern.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A byte-exact SMTP client for tests: sends exactly what it is told and reads replies with a timeout,
 * so a test can send what no well-behaved client would (bare LF, smuggling, early talk).
 */
public final class RawSmtpClient implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RawSmtpClient(int port) throws IOException {
        this(null, port);
    }

    /** Connects from a given local address (any 127.x works on Linux), to tell clients apart. */
    public RawSmtpClient(String fromAddress, int port) throws IOException {
        socket = new Socket();
        if (fromAddress != null) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(fromAddress), 0));
        }
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
        socket.setSoTimeout(10_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    public void setReadTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    public RawSmtpClient send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.UTF_8));
    }

    public RawSmtpClient send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Sends a line with CRLF and returns the reply. */
    public String cmd(String line) throws IOException {
        send(line + "\r\n");
        return reply();
    }

    /** Reads one complete (possibly multi-line) reply, lines joined with "\n". */
    public String reply() throws IOException {
        return SmtpReplyReader.reply(in);
    }

    /** Reads until the server closes the connection; returns everything it sent. */
    public String readToClose() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] b = new byte[4096];
        int n;
        while ((n = in.read(b)) >= 0) {
            buf.write(b, 0, n);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    /** True if the server closed the connection (EOF or reset) within the read timeout. */
    public boolean isClosedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // connection reset
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
