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
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An SMTP server in the test's own process that serves any number of connections and keeps what it
 * accepted: a message counts once its end of data was read and answered 250, as a real server's would.
 * The first transaction can stall ({@link Stall}) until {@link #release} is called or the test ends.
 */
public final class StallingDestination implements AutoCloseable {

    /** Where the first transaction stalls. */
    public enum Stall {
        /** Nowhere. */
        NONE,
        /**
         * After the first line of content the server stops reading (so the client's writes back up through
         * every hop); released, it reads the connection to its end and drops the message, which got no reply.
         */
        IN_CONTENT,
        /** At DATA, before its 354: released, it answers 354 and goes on as usual. */
        BEFORE_DATA_REPLY
    }

    private final ServerSocket socket;
    private final Stall stall;
    private final AtomicBoolean stallNext;
    private final CountDownLatch stalled = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger endsUnread = new AtomicInteger();
    private final List<String> accepted = new CopyOnWriteArrayList<>();
    private final List<String> cut = new CopyOnWriteArrayList<>();
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    /** @param stallFirstData whether the first transaction stalls in the middle of its content ({@link Stall#IN_CONTENT}) */
    public StallingDestination(boolean stallFirstData) throws IOException {
        this(stallFirstData ? Stall.IN_CONTENT : Stall.NONE);
    }

    /** @param stall where the first transaction stalls */
    public StallingDestination(Stall stall) throws IOException {
        this.stall = stall;
        stallNext = new AtomicBoolean(stall != Stall.NONE);
        socket = new ServerSocket();
        socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        Thread.ofVirtual().start(this::acceptLoop);
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                connections.incrementAndGet();
                open.add(s);
                Thread.ofVirtual().start(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            OutputStream out = s.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            out.write("220 mx.test ESMTP\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            StringBuilder message = null;
            String line;
            while ((line = in.readLine()) != null) {
                if (message != null) {
                    if (line.equals(".")) {
                        accepted.add(message.toString());
                        message = null;
                        reply(out, "250 2.0.0 queued as M" + accepted.size());
                        continue;
                    }
                    message.append(line).append("\r\n");
                    if (message.length() == line.length() + 2 && stall == Stall.IN_CONTENT && stallNext.compareAndSet(true, false)) {
                        stalled.countDown();
                        released.await();
                        if (drain(in)) {
                            endsUnread.incrementAndGet();
                        }
                        cut.add(message.toString());
                        return;
                    }
                    continue;
                }
                if (line.regionMatches(true, 0, "EHLO", 0, 4)) {
                    reply(out, "250-mx.test\r\n250 8BITMIME");
                } else if (line.equalsIgnoreCase("DATA")) {
                    message = new StringBuilder();
                    if (stall == Stall.BEFORE_DATA_REPLY && stallNext.compareAndSet(true, false)) {
                        stalled.countDown();
                        released.await();
                    }
                    reply(out, "354 go ahead");
                } else if (line.equalsIgnoreCase("QUIT")) {
                    reply(out, "221 bye");
                    return;
                } else {
                    reply(out, "250 ok");
                }
            }
            if (message != null) {
                cut.add(message.toString());
            }
        } catch (IOException e) {
            // the client (or the proxy in between) went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Reads what was in flight when the connection died; returns whether the end of data was in it. */
    private static boolean drain(BufferedReader in) {
        boolean end = false;
        try {
            for (String line; (line = in.readLine()) != null; ) {
                end |= line.equals(".");
            }
        } catch (IOException e) {
            // a reset ends it too
        }
        return end;
    }

    private static void reply(OutputStream out, String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    public int port() {
        return socket.getLocalPort();
    }

    /**
     * Waits until the first transaction stalled.
     *
     * @return whether it did within {@code bound}
     */
    public boolean awaitStalled(Duration bound) throws InterruptedException {
        return stalled.await(bound.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Lets the stalled connection read again (to its end: the message in it is dropped). */
    public void release() {
        released.countDown();
    }

    /** @return connections accepted so far */
    public int connections() {
        return connections.get();
    }

    /** @return the messages accepted (end of data read and answered 250), as received */
    public List<String> accepted() {
        return accepted;
    }

    /** @return the messages whose connection ended before their end of data */
    public List<String> cut() {
        return cut;
    }

    /**
     * @return stalled transactions whose end of data had reached the server unread (a server that read it
     *         would have stored the message although the client never saw its reply, RFC 1047's window)
     */
    public int endsUnread() {
        return endsUnread.get();
    }

    @Override
    public void close() throws IOException {
        released.countDown();
        socket.close();
        for (Socket s : open) {
            s.close();
        }
    }
}
