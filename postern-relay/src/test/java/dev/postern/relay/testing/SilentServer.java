package dev.postern.relay.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A misbehaving peer in the test's own process: it accepts connections and then stays silent, or writes
 * a fixed answer (garbage, an endless line) and keeps the connection open. It counts the connections.
 */
public final class SilentServer implements AutoCloseable {

    private final byte[] answer;
    private final boolean endless;
    private final AcceptLoop loop;

    private SilentServer(byte[] answer, boolean endless) throws IOException {
        this.answer = answer;
        this.endless = endless;
        this.loop = new AcceptLoop(0, this::answer);
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
        return loop.port();
    }

    /** Connections accepted so far. */
    public int accepted() {
        return loop.accepted();
    }

    @Override
    public void close() throws IOException {
        loop.close();
    }
}
