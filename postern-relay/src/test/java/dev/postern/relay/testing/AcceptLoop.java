package dev.postern.relay.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The listening side of an in-process test peer ({@link SilentServer}, {@link BrokenSocks}): binds 127.0.0.1,
 * accepts on a virtual thread, serves each connection on one of its own, counts them, and closes the listener
 * and every socket it was given ({@link #track}) at {@link #close}, so the port is free again.
 */
final class AcceptLoop implements AutoCloseable {

    private final ServerSocket socket;
    private final Consumer<Socket> serve;
    private final AtomicInteger accepted = new AtomicInteger();
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    /** Binds {@code port} (0: any; SO_REUSEADDR when a port is named) and starts accepting. */
    AcceptLoop(int port, Consumer<Socket> serve) throws IOException {
        this.serve = serve;
        socket = new ServerSocket();
        socket.setReuseAddress(port != 0);
        socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
        Thread.ofVirtual().start(this::accept);
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                accepted.incrementAndGet();
                open.add(s);
                Thread.ofVirtual().start(() -> serve.accept(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    /** Closes {@code s} too at {@link #close}. */
    void track(Socket s) {
        open.add(s);
    }

    int port() {
        return socket.getLocalPort();
    }

    int accepted() {
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
