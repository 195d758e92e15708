package dev.postern.relay.client.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A fake connection for dialogue tests: the server's replies are scripted in the order the client will
 * read them (lines of a multi-line reply separated by '\n'); what the client sends is recorded. An empty
 * script reads as a closed connection.
 */
final class ScriptedWire implements SmtpWire {

    final List<String> commands = new ArrayList<>();
    final ByteArrayOutputStream written = new ByteArrayOutputStream();
    final List<Integer> writeReplies = new ArrayList<>();
    private final Deque<String> script = new ArrayDeque<>();
    private boolean secure;
    private String tlsFailure;
    private long failWritesAfter = Long.MAX_VALUE;
    private boolean closed;

    ScriptedWire(String... replies) {
        script.addAll(List.of(replies));
    }

    ScriptedWire then(String... replies) {
        script.addAll(List.of(replies));
        return this;
    }

    ScriptedWire tlsFails(String why) {
        tlsFailure = why;
        return this;
    }

    ScriptedWire failWritesAfter(long octets) {
        failWritesAfter = octets;
        return this;
    }

    String data() {
        return written.toString(StandardCharsets.ISO_8859_1);
    }

    boolean closed() {
        return closed;
    }

    @Override
    public void send(List<String> lines) {
        commands.addAll(lines);
    }

    @Override
    public Reply read(Duration timeout, String awaiting) throws WireException {
        if (script.isEmpty()) {
            throw new WireException("connection closed by the server while waiting for " + awaiting);
        }
        ReplyParser parser = new ReplyParser();
        try {
            for (String line : script.poll().split("\n", -1)) {
                Reply r = parser.accept(line);
                if (r != null) {
                    return r;
                }
            }
        } catch (MalformedReplyException e) {
            throw new WireException(e.getMessage());
        }
        throw new AssertionError("scripted reply without a last line");
    }

    @Override
    public void write(byte[] data, int length, int replies, Duration timeout) throws WireException {
        if (written.size() + length > failWritesAfter) {
            throw new WireException("connection reset by the server while writing the message");
        }
        written.write(data, 0, length);
        writeReplies.add(replies);
    }

    @Override
    public void startTls(Duration timeout) throws WireException {
        commands.add("<TLS handshake>");
        if (tlsFailure != null) {
            throw new WireException(tlsFailure);
        }
        secure = true;
    }

    @Override
    public boolean secure() {
        return secure;
    }

    @Override
    public void close() {
        closed = true;
    }
}
