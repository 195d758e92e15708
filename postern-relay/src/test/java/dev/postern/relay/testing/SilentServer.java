package dev.postern.relay.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A misbehaving peer in the test's own process: it accepts connections and then stays silent, or writes
 * a fixed answer (garbage, an endless line) and keeps the connection open. It counts the connections.
 */
public final class SilentServer implements AutoCloseable {

    private final ServerSocket socket;
    private final byte[] answer;
    private final boolean endless;
    private final AtomicInteger accepted = new AtomicInteger();
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    private SilentServer(byte[] answer, boolean endless) throws IOException {
        this.answer = answer;
        this.endless = endless;
        this.socket = new ServerSocket();
        socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        Thread.ofVirtual().start(this::accept);
    }

    /** Accepts and says nothing. */
    public static SilentServer silent() throws IOException {
        return new SilentServer(new byte[0], false);
    }

    /** Accepts and writes {@code text} once. */
    public static SilentServer answering(String text) throws IOException {
        return new SilentServer(text.getBytes(StandardCharsets.ISO_8859_1), false);
    }

    /** Accepts and writes {@code text} again and again until the client goes. */
    public static SilentServer repeating(String text) throws IOException {
        return new SilentServer(text.getBytes(StandardCharsets.ISO_8859_1), true);
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                accepted.incrementAndGet();
                open.add(s);
                Thread.ofVirtual().start(() -> answer(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void answer(Socket s) {
        try {
            OutputStream out = s.getOutputStream();
            do {
                out.write(answer);
                out.flush();
            } while (endless && answer.length > 0);
        } catch (IOException e) {
            // the client went away
        }
    }

    public int port() {
        return socket.getLocalPort();
    }

    /** Connections accepted so far. */
    public int accepted() {
        return accepted.get();
    }

    @Override
    public void close() throws IOException {
        socket.close();
        for (Socket s : open) {
            s.close();
        }
    }
}
