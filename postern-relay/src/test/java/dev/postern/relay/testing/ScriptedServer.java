package dev.postern.relay.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A hostile SMTP server in the test's own process for what no real server does on purpose: it sends the
 * greeting, then answers the n-th command line with the n-th scripted text, written in one piece (so a
 * text may hold several replies at once), and records the lines it received.
 */
public final class ScriptedServer implements AutoCloseable {

    private final ServerSocket socket;
    private final List<String> received = new CopyOnWriteArrayList<>();

    public ScriptedServer(String greeting, String... answers) throws IOException {
        socket = new ServerSocket();
        socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        Thread.ofVirtual().start(() -> serve(greeting, List.of(answers)));
    }

    private void serve(String greeting, List<String> answers) {
        try (Socket s = socket.accept()) {
            OutputStream out = s.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            out.write(greeting.getBytes(StandardCharsets.ISO_8859_1));
            for (String answer : answers) {
                String line = in.readLine();
                if (line == null) {
                    return;
                }
                received.add(line);
                out.write(answer.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
            while (in.readLine() != null) {
                // hold the connection until the client closes it
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    public int port() {
        return socket.getLocalPort();
    }

    /** The command lines received so far. */
    public List<String> received() {
        return received;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
