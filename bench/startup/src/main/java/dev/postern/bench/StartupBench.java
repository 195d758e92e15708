package dev.postern.bench;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.postern.SmtpHandler;
import dev.postern.SmtpServer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Start-up benchmark of issue 13: how long an embedded server takes to start, greet its first client,
 * answer QUIT and stop, for Postern and for GreenMail (SMTP only) in the same run.
 *
 * <pre>
 *   cold N [java options...]  N fresh JVMs per server, in turn (P, G, N, then G, N, P, ...), one cycle each
 *   warm W C                  one JVM, W warm-up cycles then C measured cycles, the servers interleaved
 *   once postern|postern-named|greenmail|netty  one cycle in this JVM, printed as "phase nanos ..." (what "cold" runs)
 * </pre>
 *
 * The servers: Postern, GreenMail, a bare Netty server (the floor under any Netty-based server), and
 * Postern with its host named as the JUnit extension names it; {@code -Dbench.subjects=postern,greenmail}
 * measures fewer.
 *
 * A cycle is what a test does: build and start a server on 127.0.0.1, port 0; connect and read the
 * 220 greeting; send QUIT and read the 221; stop the server. Each phase is timed with
 * {@link System#nanoTime()}; the figures are medians and p90s (nearest rank).
 */
public final class StartupBench {

    enum Phase { START, GREETING, QUIT, STOP, CYCLE }

    /** One server under test: the four steps of a cycle. */
    interface Subject {
        String name();

        void start() throws Exception;

        int port();

        void stop() throws Exception;
    }

    /**
     * Exactly the embedding: a handler that overrides nothing. With {@code named}, the host is named
     * ({@code hostname("localhost")}, as the JUnit extension does), which skips the JVM's first name lookup.
     */
    static final class Postern implements Subject {
        private final boolean named;
        private SmtpServer server;

        Postern(boolean named) {
            this.named = named;
        }

        public String name() {
            return named ? "postern-named" : "postern";
        }

        public void start() throws IOException {
            SmtpServer.Builder builder = SmtpServer.builder().listen("127.0.0.1", 0).handler(new SmtpHandler() { });
            server = (named ? builder.hostname("localhost") : builder).build().start();
        }

        public int port() {
            return server.port();
        }

        public void stop() {
            server.stop(Duration.ofSeconds(5));
        }
    }

    /** GreenMail 2.1.13 with the SMTP service only, as its own tests set it up. */
    static final class Green implements Subject {
        private GreenMail server;

        public String name() {
            return "greenmail";
        }

        public void start() {
            server = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
            server.start();
        }

        public int port() {
            return server.getSmtp().getPort();
        }

        public void stop() {
            server.stop();
        }
    }

    /**
     * Not a mail server: the least a Netty server does for the same cycle (one NIO loop, a handler that
     * writes "220" on connect and "221" and closes on any input), with Netty's Flight Recorder events off
     * as Postern turns them off. It measures what Netty's own class loading and static initialisation
     * cost a cold JVM, the floor under any Netty-based server; nothing of Postern is loaded.
     */
    static final class BareNetty implements Subject {
        private io.netty.channel.EventLoopGroup group;
        private io.netty.channel.Channel channel;

        public String name() {
            return "netty";
        }

        public void start() throws InterruptedException {
            if (System.getProperty("io.netty.jfr.enabled") == null) {
                System.setProperty("io.netty.jfr.enabled", "false");
            }
            group = new io.netty.channel.MultiThreadIoEventLoopGroup(1, io.netty.channel.nio.NioIoHandler.newFactory());
            channel = new io.netty.bootstrap.ServerBootstrap().group(group)
                    .channel(io.netty.channel.socket.nio.NioServerSocketChannel.class)
                    .childHandler(new Greeter()).bind("127.0.0.1", 0).sync().channel();
        }

        public int port() {
            return ((InetSocketAddress) channel.localAddress()).getPort();
        }

        public void stop() throws InterruptedException {
            channel.close().sync();
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS);
        }

        @io.netty.channel.ChannelHandler.Sharable
        static final class Greeter extends io.netty.channel.ChannelInboundHandlerAdapter {
            @Override
            public void channelActive(io.netty.channel.ChannelHandlerContext ctx) {
                ctx.writeAndFlush(io.netty.buffer.Unpooled.copiedBuffer("220 ready\r\n", StandardCharsets.US_ASCII));
            }

            @Override
            public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                io.netty.util.ReferenceCountUtil.release(msg);
                ctx.writeAndFlush(io.netty.buffer.Unpooled.copiedBuffer("221 bye\r\n", StandardCharsets.US_ASCII))
                        .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
            }
        }
    }

    static Subject subject(String name) {
        return switch (name) {
            case "postern" -> new Postern(false);
            case "postern-named" -> new Postern(true);
            case "greenmail" -> new Green();
            case "netty" -> new BareNetty();
            default -> throw new IllegalArgumentException("unknown server " + name + " (postern|postern-named|greenmail|netty)");
        };
    }

    /** One cycle: nanoseconds per phase. */
    static long[] cycle(Subject s) throws Exception {
        long[] t = new long[Phase.values().length];
        long t0 = System.nanoTime();
        s.start();
        long t1 = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.setSoTimeout(10_000);
            socket.connect(new InetSocketAddress("127.0.0.1", s.port()), 10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            expect(in, "220");
            long t2 = System.nanoTime();
            OutputStream out = socket.getOutputStream();
            out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            expect(in, "221");
            t[Phase.GREETING.ordinal()] = t2 - t1;
        }
        long t4 = System.nanoTime(); // QUIT: from sending it to the 221 read and the socket closed
        t[Phase.QUIT.ordinal()] = t4 - t1 - t[Phase.GREETING.ordinal()];
        s.stop();
        long t5 = System.nanoTime();
        t[Phase.START.ordinal()] = t1 - t0;
        t[Phase.STOP.ordinal()] = t5 - t4;
        t[Phase.CYCLE.ordinal()] = t5 - t0;
        return t;
    }

    /** Reads one reply (multi-line too) and checks its code. */
    private static void expect(BufferedReader in, String code) throws IOException {
        String line;
        do {
            line = in.readLine();
            if (line == null || !line.startsWith(code)) {
                throw new IOException("expected " + code + ", got " + line);
            }
        } while (line.length() > 3 && line.charAt(3) == '-');
    }

    public static void main(String[] args) throws Exception {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        if (args.length == 0) {
            usage();
        }
        switch (args[0]) {
            case "once" -> {
                long[] t = cycle(subject(args[1]));
                StringBuilder sb = new StringBuilder();
                for (Phase p : Phase.values()) {
                    sb.append(p.name().toLowerCase(Locale.ROOT)).append(' ').append(t[p.ordinal()]).append(' ');
                }
                System.out.println(sb.toString().trim());
            }
            case "warm" -> warm(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            case "cold" -> cold(Integer.parseInt(args[1]), Arrays.copyOfRange(args, 2, args.length));
            default -> usage();
        }
    }

    private static void usage() {
        System.err.println("usage: StartupBench cold N [java options] | warm WARMUP CYCLES | once postern|postern-named|greenmail|netty");
        System.exit(2);
    }

    private static void warm(int warmup, int cycles) throws Exception {
        Subject[] subjects = subjects().stream().map(StartupBench::subject).toArray(Subject[]::new);
        for (int i = 0; i < warmup; i++) {
            for (Subject s : subjects) {
                cycle(s);
            }
        }
        Map<String, List<long[]>> results = new LinkedHashMap<>();
        for (int i = 0; i < cycles; i++) {
            // rotate who goes first, so none always runs right after another's stop
            for (Subject s : rotated(List.of(subjects), i)) {
                results.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(cycle(s));
            }
        }
        report("warm: one JVM, " + warmup + " warm-up + " + cycles + " measured cycles per server, interleaved", results);
    }

    private static void cold(int jvms, String[] javaOptions) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        String classPath = System.getProperty("java.class.path");
        Map<String, List<long[]>> results = new LinkedHashMap<>();
        Map<String, List<Long>> wall = new LinkedHashMap<>();
        for (int i = 0; i < jvms; i++) {
            for (String name : rotated(subjects(), i)) {
                List<String> command = new ArrayList<>();
                command.add(java);
                command.addAll(List.of(javaOptions));
                command.addAll(List.of("-cp", classPath, StartupBench.class.getName(), "once", name));
                Path out = Files.createTempFile("startup-bench", ".out");
                try {
                    long w0 = System.nanoTime();
                    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
                    if (!p.waitFor(60, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                        throw new IllegalStateException(name + ": the JVM did not finish within 60 s");
                    }
                    long w = System.nanoTime() - w0;
                    List<String> lines = Files.readAllLines(out);
                    if (p.exitValue() != 0 || lines.isEmpty()) {
                        throw new IllegalStateException(name + ": exit " + p.exitValue() + ": " + String.join("\n", lines));
                    }
                    String[] f = lines.getLast().split(" ");
                    long[] t = new long[Phase.values().length];
                    for (int k = 0; k + 1 < f.length; k += 2) {
                        t[Phase.valueOf(f[k].toUpperCase(Locale.ROOT)).ordinal()] = Long.parseLong(f[k + 1]);
                    }
                    results.computeIfAbsent(name, k -> new ArrayList<>()).add(t);
                    wall.computeIfAbsent(name, k -> new ArrayList<>()).add(w);
                } finally {
                    Files.deleteIfExists(out);
                }
            }
        }
        report("cold: first cycle in a fresh JVM, " + jvms + " JVMs per server, alternating"
                + (javaOptions.length == 0 ? "" : " (java " + String.join(" ", javaOptions) + ")"), results);
        System.out.printf(Locale.ROOT, "  %-10s %s%n", "JVM wall", wallLine(wall));
    }

    /** The servers measured: {@code -Dbench.subjects=postern,greenmail,netty,postern-named} (the default). */
    static List<String> subjects() {
        return List.of(System.getProperty("bench.subjects", "postern,greenmail,netty,postern-named").split(","));
    }

    static <T> List<T> rotated(List<T> list, int by) {
        List<T> out = new ArrayList<>(list);
        java.util.Collections.rotate(out, by % list.size());
        return out;
    }

    private static String wallLine(Map<String, List<Long>> wall) {
        StringBuilder sb = new StringBuilder();
        for (var e : wall.entrySet()) {
            long[] v = e.getValue().stream().mapToLong(Long::longValue).toArray();
            sb.append(String.format(Locale.ROOT, "%s %s ms   ", e.getKey(), ms(percentile(v, 50))));
        }
        return sb.toString().trim() + "   (launch to exit, median)";
    }

    /** Median / p90 per phase and server, then each server's ratios to GreenMail (when it was measured). */
    private static void report(String title, Map<String, List<long[]>> results) {
        System.out.println(title);
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "  %-10s", "phase"));
        for (String name : results.keySet()) {
            head.append(String.format(Locale.ROOT, " %-22s", name + " median / p90"));
        }
        for (String name : results.keySet()) {
            if (!name.equals("greenmail") && results.containsKey("greenmail")) {
                head.append(String.format(Locale.ROOT, " %-16s", name + "/greenmail"));
            }
        }
        System.out.println(head);
        for (Phase p : Phase.values()) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-10s", p.name().toLowerCase(Locale.ROOT)));
            for (List<long[]> runs : results.values()) {
                long[] v = values(runs, p);
                line.append(String.format(Locale.ROOT, " %-22s", ms(percentile(v, 50)) + " / " + ms(percentile(v, 90)) + " ms"));
            }
            if (results.containsKey("greenmail")) {
                long[] gv = values(results.get("greenmail"), p);
                for (var e : results.entrySet()) {
                    if (!e.getKey().equals("greenmail")) {
                        long[] v = values(e.getValue(), p);
                        line.append(String.format(Locale.ROOT, " %-16s", ratio(percentile(v, 50), percentile(gv, 50))
                                + " / " + ratio(percentile(v, 90), percentile(gv, 90))));
                    }
                }
            }
            System.out.println(line);
        }
    }

    private static long[] values(List<long[]> runs, Phase p) {
        return runs.stream().mapToLong(t -> t[p.ordinal()]).sorted().toArray();
    }

    /** Nearest-rank percentile of sorted values. */
    static long percentile(long[] sorted, int pct) {
        long[] v = sorted.clone();
        Arrays.sort(v);
        int rank = (int) Math.ceil(pct / 100.0 * v.length);
        return v[Math.max(0, rank - 1)];
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.2f", nanos / 1e6);
    }

    private static String ratio(long a, long b) {
        return b == 0 ? "-" : String.format(Locale.ROOT, "%.2fx", (double) a / b);
    }
}
