package dev.postern.server;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A line-at-a-time SMTP client over a plain socket, for tests that need the exact bytes and replies. */
final class SmtpTestClient implements Closeable {

    private static final int TIMEOUT_MILLIS = 10_000;

    private final Socket socket;
    private final BufferedReader in;
    private final OutputStream out;

    private SmtpTestClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        this.out = socket.getOutputStream();
    }

    /** Connects to 127.0.0.1:{@code port}; every later read gives up after 10 seconds. */
    static SmtpTestClient connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
        socket.setSoTimeout(TIMEOUT_MILLIS);
        return new SmtpTestClient(socket);
    }

    /** Sends {@code text} as it is (no CRLF added). */
    void send(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Reads one reply, joining the lines of a multi-line one with LF; null when the server closed. */
    String reply() throws IOException {
        StringBuilder reply = new StringBuilder();
        while (true) {
            String line = in.readLine();
            if (line == null) {
                return reply.isEmpty() ? null : reply.toString();
            }
            if (!reply.isEmpty()) {
                reply.append('\n');
            }
            reply.append(line);
            if (line.length() < 4 || line.charAt(3) != '-') {
                return reply.toString();
            }
        }
    }

    /** Sends one command line and returns the reply. */
    String command(String line) throws IOException {
        send(line + "\r\n");
        return reply();
    }

    /** Greeting, EHLO, one transaction with {@code content} (dot-stuffed here), and the reply to its end. */
    String deliver(String from, String to, String content) throws IOException {
        expect(reply(), "220 ");
        return deliverAfterGreeting(from, to, content);
    }

    /** {@link #deliver} once the greeting is read. */
    String deliverAfterGreeting(String from, String to, String content) throws IOException {
        expect(command("EHLO client.example"), "250");
        expect(command("MAIL FROM:<" + from + ">"), "250 ");
        expect(command("RCPT TO:<" + to + ">"), "250 ");
        expect(command("DATA"), "354 ");
        return command(content.replaceAll("(?m)^\\.", "..") + ".");
    }

    private static void expect(String reply, String prefix) {
        if (reply == null || !reply.startsWith(prefix)) {
            throw new AssertionError("expected a " + prefix.strip() + " reply, got: " + reply);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
