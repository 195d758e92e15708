package dev.postern.relay.testing;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A SOCKS5 server (RFC 1928, no authentication) in the test's own process that breaks the way Dante never
 * does on purpose, at one point of the exchange: it refuses every method, closes after the method
 * selection, or completes the CONNECT (reply "succeeded") and then closes or resets the connection
 * before a byte of the destination's. {@link Mode#RELAY_COALESCED} is a working proxy that holds its
 * "succeeded" reply until the destination's first bytes arrive and sends both in one write. It binds the
 * port it is given (SO_REUSEADDR), so it can stand in on a port where a real proxy ran or will run.
 */
public final class BrokenSocks implements AutoCloseable {

    /** Where it breaks. */
    public enum Mode {
        /** Answers the method selection with X'FF', no acceptable method. */
        REFUSE_METHOD,
        /** Selects "no authentication", then closes when the CONNECT request arrives. */
        CLOSE_AFTER_METHOD,
        /** Replies "succeeded" to the CONNECT, then closes (FIN) without connecting anywhere. */
        CLOSE_AFTER_CONNECT,
        /** Replies "succeeded" to the CONNECT, then resets the connection (RST). */
        RESET_AFTER_CONNECT,
        /** Connects to the destination, then sends "succeeded" and the destination's first bytes in one write, then relays. */
        RELAY_COALESCED
    }

    private final Mode mode;
    private final AtomicInteger connectRequests = new AtomicInteger();
    private final AcceptLoop loop;

    public BrokenSocks(int port, Mode mode) throws IOException {
        this.mode = mode;
        this.loop = new AcceptLoop(port, this::serve);
    }

    private void serve(Socket s) {
        try {
            DataInputStream in = new DataInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            if (in.readUnsignedByte() != 5) {
                s.close();
                return;
            }
            in.readFully(new byte[in.readUnsignedByte()]); // the methods offered
            if (mode == Mode.REFUSE_METHOD) {
                out.write(new byte[] {5, (byte) 0xFF});
                out.flush();
                s.close();
                return;
            }
            out.write(new byte[] {5, 0});
            out.flush();
            byte[] head = new byte[4]; // VER CMD RSV ATYP
            in.readFully(head);
            connectRequests.incrementAndGet();
            if (mode == Mode.CLOSE_AFTER_METHOD) {
                s.close();
                return;
            }
            InetAddress address;
            switch (head[3]) {
                case 1 -> {
                    byte[] a = new byte[4];
                    in.readFully(a);
                    address = InetAddress.getByAddress(a);
                }
                case 4 -> {
                    byte[] a = new byte[16];
                    in.readFully(a);
                    address = InetAddress.getByAddress(a);
                }
                default -> {
                    byte[] name = new byte[in.readUnsignedByte()];
                    in.readFully(name);
                    address = InetAddress.getByName(new String(name, java.nio.charset.StandardCharsets.US_ASCII));
                }
            }
            int port = in.readUnsignedShort();
            byte[] succeeded = {5, 0, 0, 1, 127, 0, 0, 1, (byte) (loop.port() >> 8), (byte) loop.port()};
            switch (mode) {
                case CLOSE_AFTER_CONNECT -> {
                    out.write(succeeded);
                    out.flush();
                    s.close();
                }
                case RESET_AFTER_CONNECT -> {
                    out.write(succeeded);
                    out.flush();
                    s.setSoLinger(true, 0);
                    s.close();
                }
                default -> relay(s, succeeded, new InetSocketAddress(address, port));
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    private void relay(Socket client, byte[] succeeded, InetSocketAddress destination) throws IOException {
        try (Socket upstream = new Socket()) {
            upstream.connect(destination, 5000);
            loop.track(upstream);
            InputStream fromUpstream = upstream.getInputStream();
            byte[] buf = new byte[8192];
            int n = fromUpstream.read(buf); // the destination's first bytes (its greeting)
            byte[] first = new byte[succeeded.length + Math.max(0, n)];
            System.arraycopy(succeeded, 0, first, 0, succeeded.length);
            if (n > 0) {
                System.arraycopy(buf, 0, first, succeeded.length, n);
            }
            client.getOutputStream().write(first);
            client.getOutputStream().flush();
            Thread back = Thread.ofVirtual().start(() -> pump(fromUpstream, client));
            pump(client.getInputStream(), upstream);
            back.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            client.close();
        }
    }

    private static void pump(InputStream from, Socket to) {
        try {
            from.transferTo(to.getOutputStream());
            to.shutdownOutput();
        } catch (IOException e) {
            // either side went away
        }
    }

    public int port() {
        return loop.port();
    }

    /** Connections accepted so far. */
    public int accepted() {
        return loop.accepted();
    }

    /** CONNECT requests received so far. */
    public int connectRequests() {
        return connectRequests.get();
    }

    /** Stops listening and closes every connection, so the port is free again. */
    @Override
    public void close() throws IOException {
        loop.close();
    }
}
