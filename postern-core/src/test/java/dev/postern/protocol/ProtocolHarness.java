package dev.postern.protocol;

import dev.postern.ServerMetrics;
import dev.postern.SmtpHandler;
import dev.postern.SmtpServerConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Drives an {@link SmtpProtocol} with bytes and collects its replies, with no socket and no spool file. */
public final class ProtocolHarness {

    public final SmtpProtocol protocol;
    public final SessionState session;
    /** Where message content goes: memory, with every sink kept for inspection. */
    public final MemorySinks sinks = new MemorySinks();
    /** The counters the protocol updates. */
    public final ServerMetrics metrics = new ServerMetrics();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteBuf in = Unpooled.buffer();

    /** The protocol's clock: starts at the epoch, moved on by {@link #advance}. */
    private Instant now = Instant.EPOCH;

    public ProtocolHarness(SmtpHandler handler, Consumer<SmtpServerConfig.Builder> configure) {
        this(handler, configure, null);
    }

    /** As above, sharing {@code authThrottle} (null: a throttle of the session's own, from the configuration). */
    public ProtocolHarness(SmtpHandler handler, Consumer<SmtpServerConfig.Builder> configure, AuthThrottle authThrottle) {
        this(handler, configure, authThrottle, null);
    }

    /** A session of {@code listener} (null: none known), e.g. an LMTP one. */
    public ProtocolHarness(SmtpHandler handler, Consumer<SmtpServerConfig.Builder> configure, AuthThrottle authThrottle,
                           dev.postern.Listener listener) {
        SmtpServerConfig.Builder b = SmtpServerConfig.builder().hostname("mx.test");
        configure.accept(b);
        SmtpServerConfig config = b.build();
        AuthThrottle throttle = authThrottle != null ? authThrottle
                : new AuthThrottle(config.maxAuthFailures(), config.authFailureWindow());
        session = new SessionState("TEST1", new InetSocketAddress("127.0.0.1", 25),
                new InetSocketAddress("127.0.0.9", 40000), Instant.EPOCH, config.greeting(), config.hostname(), listener,
                config.hostname());
        protocol = new SmtpProtocol(config, handler, session, () -> now, metrics, SmtpProtocol.MessageEvents.NONE, throttle, sinks,
                new SmtpProtocol.ReplySink() {
            @Override
            public void write(byte[] wire) {
                out.writeBytes(wire);
            }

            @Override
            public void startTls() {
                startTlsCalls++;
            }

            @Override
            public void pause(java.time.Duration delay) {
                pauses.add(delay);
            }
        });
    }

    /** How many times the protocol asked the transport to start TLS. */
    public int startTlsCalls;
    /** The pauses the protocol asked the transport for, in order. */
    public final List<java.time.Duration> pauses = new ArrayList<>();

    public ProtocolHarness(SmtpHandler handler) {
        this(handler, b -> { });
    }

    public ProtocolHarness() {
        this(new SmtpHandler() { });
    }

    /** Moves the protocol's clock on. */
    public void advance(java.time.Duration d) {
        now = now.plus(d);
    }

    /** Connects and returns the greeting. */
    public String connect() {
        protocol.connect();
        return take();
    }

    /** Feeds raw text (give line ends yourself) and returns all replies produced. */
    public String feed(String text) {
        return feed(text.getBytes(StandardCharsets.UTF_8));
    }

    public String feed(byte[] bytes) {
        in.writeBytes(bytes);
        protocol.receive(in);
        in.discardReadBytes();
        return take();
    }

    /** Sends one command line with CRLF and returns the replies. */
    public String cmd(String line) {
        return feed(line + "\r\n");
    }

    /** Reply codes of the replies in {@code text}, last line of each reply only. */
    public static List<Integer> codes(String text) {
        List<Integer> codes = new ArrayList<>();
        for (String line : text.split("\r\n")) {
            if (line.length() >= 4 && line.charAt(3) == ' ') {
                codes.add(Integer.parseInt(line.substring(0, 3)));
            }
        }
        return codes;
    }

    /** Connects, EHLOs, and returns this harness. */
    public ProtocolHarness ready() {
        connect();
        cmd("EHLO client.test");
        return this;
    }

    /** The replies written since the last look, e.g. by a call on {@link #protocol} such as tlsEstablished. */
    public String replies() {
        return take();
    }

    public int buffered() {
        return in.readableBytes();
    }

    private String take() {
        String s = out.toString(StandardCharsets.UTF_8);
        out.reset();
        return s;
    }
}
