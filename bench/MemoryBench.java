import dev.postern.ReceivedMessage;
import dev.postern.SmtpHandler;
import dev.postern.SmtpServer;
import dev.postern.SmtpSession;
import dev.postern.Listener;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Memory figures of a Postern server (a benchmark, not a test): run by bench/memory.sh.
 *
 * <p>{@code idle N}: heap, Netty direct memory and process RSS per idle connection, with N connections open
 * from a second process (python3), each greeted and answered one EHLO, then nothing else happening.
 *
 * <p>{@code messages N MB}: the peak heap while N clients send one MB-megabyte message each at once,
 * against the heap of the idle server (the content streams through the spool, so the peak should not
 * grow with N x MB).
 *
 * <p>Both start the library's server in this JVM, with its defaults except maxConnections, and its
 * onMessage reading each message to its end (as a store would, without keeping it).
 */
public final class MemoryBench {

    private static final String IDLE_CLIENTS = """
            import socket, sys
            n, port = int(sys.argv[1]), int(sys.argv[2])
            socks = []
            for i in range(n):
                s = socket.create_connection(("127.0.0.1", port))
                socks.append(s)
            for s in socks:
                buf = b""
                while not buf.endswith(b"\\r\\n"):
                    buf += s.recv(512)
            # then one command each, so that every session has parsed a line and written a multi-line reply
            for s in socks:
                s.sendall(b"EHLO idle.example\\r\\n")
            for s in socks:
                buf = b""
                while b"\\r\\n250 " not in buf:
                    buf += s.recv(4096)
            print("ready", flush=True)
            sys.stdin.readline()
            for s in socks:
                s.close()
            """;

    private static final String SENDERS = """
            import socket, sys, threading
            n, port, mb = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
            line = b"x" * 998 + b"\\r\\n"
            chunk = line * 64
            results = []
            def reply(f):
                while True:
                    l = f.readline()
                    if len(l) < 4 or l[3:4] != b"-":
                        return l
            def send(i):
                s = socket.create_connection(("127.0.0.1", port))
                f = s.makefile("rb")
                reply(f)
                s.sendall(b"EHLO bench\\r\\n"); reply(f)
                s.sendall(b"MAIL FROM:<a@bench.example>\\r\\n"); reply(f)
                s.sendall(b"RCPT TO:<b@bench.example>\\r\\n"); reply(f)
                s.sendall(b"DATA\\r\\n"); reply(f)
                s.sendall(b"Subject: big\\r\\n\\r\\n")
                sent = 0
                while sent < mb * 1024 * 1024:
                    s.sendall(chunk); sent += len(chunk)
                s.sendall(b".\\r\\n")
                results.append(reply(f)[:3])
                s.sendall(b"QUIT\\r\\n"); s.close()
            ts = [threading.Thread(target=send, args=(i,)) for i in range(n)]
            for t in ts: t.start()
            for t in ts: t.join()
            print("done", " ".join(r.decode() for r in results), flush=True)
            """;

    public static void main(String[] args) throws Exception {
        // one log line per session event would measure the logger, not the server
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        switch (args.length > 0 ? args[0] : "") {
            case "idle" -> idle(Integer.parseInt(args[1]));
            case "messages" -> messages(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            default -> {
                System.err.println("usage: MemoryBench idle N | messages N MB");
                System.exit(2);
            }
        }
    }

    static SmtpServer start(int maxConnections, SmtpHandler handler) throws IOException {
        return SmtpServer.builder()
                .configure(c -> c.clearListeners().listen(Listener.of("127.0.0.1", 0)).hostname("bench.test")
                        .maxConnections(maxConnections))
                .handler(handler)
                .build()
                .start();
    }

    static void idle(int n) throws Exception {
        idle(n, "a handler that overrides no hook (everything on the event loop)", new SmtpHandler() { });
        idle(n, "a handler with a blocking onMessage (hooks on virtual threads, as postern serve's Maildir)", new SmtpHandler() {
            @Override
            public void onMessage(SmtpSession session, ReceivedMessage message) {
            }
        });
    }

    static void idle(int n, String what, SmtpHandler handler) throws Exception {
        System.out.println("== " + what);
        SmtpServer server = start(n + 100, handler);
        int port = server.port();
        // warm up: the event loops, the pooled allocator's arenas, the classes a session uses
        runClients(IDLE_CLIENTS, 200, port);
        Snapshot before = Snapshot.take();
        Process clients = startPython(IDLE_CLIENTS, String.valueOf(n), String.valueOf(port));
        BufferedReader out = new BufferedReader(new InputStreamReader(clients.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (!"ready".equals(line)) {
            throw new IllegalStateException("the client process said: " + line);
        }
        waitFor(() -> server.activeConnections() >= n);
        Snapshot during = Snapshot.take();
        System.out.printf("idle connections: %d (server reports %d active)%n", n, server.activeConnections());
        System.out.printf("heap per idle connection:         %7.0f bytes%n", (during.heap - before.heap) / (double) n);
        System.out.printf("direct memory per idle connection: %7.0f bytes (Netty and NIO buffers)%n", (during.direct - before.direct) / (double) n);
        System.out.printf("RSS per idle connection:           %7.0f bytes (whole process, includes kernel-side JVM growth)%n",
                (during.rss - before.rss) / (double) n);
        System.out.printf("heap + direct per idle connection: %7.0f bytes = %.2f KiB%n",
                (during.heap - before.heap + during.direct - before.direct) / (double) n,
                (during.heap - before.heap + during.direct - before.direct) / (double) n / 1024);
        clients.getOutputStream().write('\n');
        clients.getOutputStream().flush();
        clients.waitFor();
        server.stop(Duration.ofSeconds(5));
    }

    static void messages(int n, int mb) throws Exception {
        AtomicLong octets = new AtomicLong();
        SmtpServer server = start(n + 100, new SmtpHandler() {
            @Override
            public void onMessage(SmtpSession session, ReceivedMessage message) throws Exception {
                byte[] buf = new byte[64 * 1024];
                try (InputStream in = message.openStream()) {
                    int r;
                    while ((r = in.read(buf)) >= 0) {
                        octets.addAndGet(r);
                    }
                }
            }
        });
        int port = server.port();
        runClients(SENDERS, 2, port, "1");
        Snapshot before = Snapshot.take();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            pool.resetPeakUsage();
        }
        long start = System.nanoTime();
        Process senders = startPython(SENDERS, String.valueOf(n), String.valueOf(port), String.valueOf(mb));
        String result = new BufferedReader(new InputStreamReader(senders.getInputStream(), StandardCharsets.UTF_8)).readLine();
        senders.waitFor();
        double seconds = (System.nanoTime() - start) / 1e9;
        long peakHeap = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peakHeap += pool.getPeakUsage().getUsed();
            }
        }
        System.out.printf("%d concurrent messages of %d MB: %s in %.1f s, %d MB read by onMessage%n", n, mb, result, seconds,
                octets.get() / (1024 * 1024));
        System.out.printf("heap before: %.1f MB; peak heap during (sum of pool peaks, garbage included): %.1f MB; max heap %.0f MB%n",
                before.heap / 1048576.0, peakHeap / 1048576.0, Runtime.getRuntime().maxMemory() / 1048576.0);
        System.out.printf("content in flight: %d MB, %.1f%% of it was ever on the heap at once at most%n", (long) n * mb,
                100.0 * (peakHeap - before.heap) / ((double) n * mb * 1048576));
        server.stop(Duration.ofSeconds(5));
    }

    record Snapshot(long heap, long direct, long rss) {
        static Snapshot take() throws Exception {
            for (int i = 0; i < 3; i++) {
                System.gc();
                Thread.sleep(300);
            }
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            long direct = Math.max(0, io.netty.util.internal.PlatformDependent.usedDirectMemory());
            for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
                direct += pool.getMemoryUsed();
            }
            long rss = 0;
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("VmRSS:")) {
                    rss = Long.parseLong(l.replaceAll("\\D", "")) * 1024;
                }
            }
            return new Snapshot(heap, direct, rss);
        }
    }

    static void runClients(String script, int n, int port, String... more) throws Exception {
        String[] args = new String[2 + more.length];
        args[0] = String.valueOf(n);
        args[1] = String.valueOf(port);
        System.arraycopy(more, 0, args, 2, more.length);
        Process p = startPython(script, args);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        out.readLine();
        OutputStream in = p.getOutputStream();
        in.write('\n');
        in.flush();
        p.waitFor();
    }

    static Process startPython(String script, String... args) throws IOException {
        Path file = Files.createTempFile("postern-bench", ".py");
        Files.writeString(file, script);
        file.toFile().deleteOnExit();
        List<String> command = new java.util.ArrayList<>(List.of("python3", file.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    interface Condition {
        boolean met();
    }

    static void waitFor(Condition c) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!c.met()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out");
            }
            Thread.sleep(50);
        }
    }
}
