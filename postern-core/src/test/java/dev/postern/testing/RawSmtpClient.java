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

    /**
     * Reads the greeting, then sends EHLO and one transaction with {@code content} (dot-stuffed here),
     * each step expecting success; returns the reply to the end of the data.
     */
    public String deliver(String from, String to, String content) throws IOException {
        expect(reply(), "220 ");
        return deliverAfterGreeting(from, to, content);
    }

    /** {@link #deliver} once the greeting has been read. */
    public String deliverAfterGreeting(String from, String to, String content) throws IOException {
        expect(cmd("EHLO client.example"), "250");
        expect(cmd("MAIL FROM:<" + from + ">"), "250 ");
        expect(cmd("RCPT TO:<" + to + ">"), "250 ");
        expect(cmd("DATA"), "354 ");
        return cmd(content.replaceAll("(?m)^\\.", "..") + ".");
    }

    private static void expect(String reply, String prefix) {
        if (!reply.startsWith(prefix)) {
            throw new AssertionError("expected a " + prefix.strip() + " reply, got: " + reply);
        }
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
