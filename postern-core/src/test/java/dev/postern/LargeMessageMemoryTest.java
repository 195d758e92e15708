package dev.postern;

import dev.postern.testing.RawSmtpClient;
import dev.postern.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fifty concurrent 20 MB messages through a server whose test JVM has a 384 MiB heap (see the
 * surefire argLine): if messages were held in memory this would fail with OutOfMemoryError.
 */
class LargeMessageMemoryTest {

    static final int CLIENTS = 50;
    static final int LINE = 998;
    static final int LINES = 20 * 1024 * 1024 / (LINE + 2);

    @Test
    void fiftyConcurrentTwentyMegabyteMessagesStreamThroughASmallHeap() throws Exception {
        assertThat(Runtime.getRuntime().maxMemory()).as("test JVM heap bound").isLessThan(512L * 1024 * 1024);
        Set<String> digests = ConcurrentHashMap.newKeySet();
        SmtpHandler digesting = new SmtpHandler() {
            @Override
            public void onMessage(SmtpSession s, ReceivedMessage m) throws Exception {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                try (InputStream in = m.openStream()) {
                    byte[] buf = new byte[64 * 1024];
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        md.update(buf, 0, n);
                    }
                }
                digests.add(m.size() + ":" + HexFormat.of().formatHex(md.digest()));
            }
        };
        byte[] line = ("x".repeat(LINE) + "\r\n").getBytes();
        byte[] chunk = new byte[line.length * 64];
        for (int i = 0; i < 64; i++) {
            System.arraycopy(line, 0, chunk, i * line.length, line.length);
        }
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try (TestServer server = TestServer.start(digesting, c -> c.maxMessageSize(25L * 1024 * 1024).maxConnections(100))) {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                results.add(pool.submit(() -> {
                    try (RawSmtpClient c = new RawSmtpClient(server.port())) {
                        c.setReadTimeout(120_000);
                        c.reply();
                        c.cmd("EHLO big");
                        c.cmd("MAIL FROM:<a@b.c>");
                        c.cmd("RCPT TO:<x@y.z>");
                        c.cmd("DATA");
                        for (int n = 0; n < LINES / 64; n++) {
                            c.send(chunk);
                        }
                        c.send(".\r\n");
                        return c.reply();
                    }
                }));
            }
            for (Future<String> f : results) {
                assertThat(f.get(5, TimeUnit.MINUTES)).startsWith("250 2.0.0");
            }
        } finally {
            pool.shutdownNow();
        }
        long expectedSize = (long) (LINES / 64) * chunk.length;
        assertThat(digests).hasSize(1); // fifty identical messages, all intact
        assertThat(digests.iterator().next()).startsWith(expectedSize + ":");
    }
}
