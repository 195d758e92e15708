package dev.postern.netty;

import dev.postern.Listener;
import dev.postern.ServerMetrics;
import dev.postern.SmtpHandler;
import dev.postern.SmtpServerConfig;
import dev.postern.testing.RawSmtpClient;
import dev.postern.testing.SmtpReplyReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A connection flood that reaches {@code maxConnections} itself, from several hundred distinct loopback
 * addresses (each client socket bound to its own 127.0.x.y), with {@code maxConnectionsPerClient} and the
 * connection rate limit on: over the limit, a connection gets the 421 and a close, and counts nowhere; the
 * admitted ones are served; a client from a fresh address is refused cleanly while the flood holds and
 * served once it ends. The per-client counters are read through the transport's context: the open-connection
 * count holds exactly the addresses with a connection open, none once the flood is gone; the rate's table
 * holds the addresses whose connections reached the session (never those refused at the door), within
 * its bound of {@link ConnectionRate#MAX_TRACKED} (the bound itself is {@code ConnectionRateTest}'s).
 * Waits are bounded polls; nothing is timed.
 */
@Timeout(60)
class ConnectionFloodSocketTest {

    private static final int MAX = 100;
    private static final String FULL = "421 4.7.0 mx.test Too many connections, try again later";
    private static final String PER_CLIENT = "421 4.7.0 mx.test Too many connections from your address, try again later";

    private NettyTransport transport;
    private final List<Socket> held = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (Socket s : held) {
            s.close();
        }
        if (transport != null) {
            transport.stop(Duration.ZERO);
        }
    }

    private int start() throws IOException {
        SmtpServerConfig config = SmtpServerConfig.builder().clearListeners().listen(Listener.of("127.0.0.1", 0))
                .hostname("mx.test").maxConnections(MAX).maxConnectionsPerClient(2)
                .connectionRateLimit(1000, Duration.ofMinutes(1)).build();
        transport = new NettyTransport(config, new SmtpHandler() { }, false, true, null, List.of());
        transport.start();
        return transport.boundAddresses().getFirst().getPort();
    }

    private static Socket connect(String from, int port) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
        s.setSoTimeout(20_000);
        return s;
    }

    /** The reply, and for a 421 the close that must follow it (end of stream, nothing more sent). */
    private static String greetingOrRefusal(Socket s) throws IOException {
        String reply = SmtpReplyReader.reply(s.getInputStream());
        if (reply.startsWith("421 ")) {
            assertThat(s.getInputStream().read()).as("closed after " + reply).isEqualTo(-1);
            s.close();
        }
        return reply;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within 10 s: " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void aFloodOverMaxConnectionsFromManyAddressesIsRefusedCleanlyAndLeavesNothingCounted() throws Exception {
        int port = start();
        ServerContext server = transport.context();

        // 30 addresses open three connections each, one after the other: the third of each is over
        // maxConnectionsPerClient
        for (int a = 1; a <= 30; a++) {
            for (int k = 0; k < 3; k++) {
                Socket s = connect("127.0.2." + a, port);
                String reply = greetingOrRefusal(s);
                if (k < 2) {
                    assertThat(reply).startsWith("220 mx.test");
                    held.add(s);
                } else {
                    assertThat(reply).isEqualTo(PER_CLIENT);
                }
            }
        }
        await("the refused connections given back", () -> transport.activeConnections() == 60);
        assertThat(server.clients.tracked()).isEqualTo(30);

        // the flood: 300 more addresses (127.0.3.1 to 127.0.3.250, 127.0.4.1 to 127.0.4.50), one connection each, 16 at a time
        List<String> flood = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            flood.add("127.0." + (3 + i / 250) + "." + (1 + i % 250));
        }
        assertThat(Set.copyOf(flood)).hasSize(300);
        AtomicInteger admitted = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        Set<String> admittedFrom = ConcurrentHashMap.newKeySet();
        try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
            List<Future<?>> done = new ArrayList<>();
            for (String from : flood) {
                done.add(pool.submit(() -> {
                    Socket s = connect(from, port);
                    String reply = greetingOrRefusal(s);
                    if (reply.startsWith("220 mx.test")) {
                        held.add(s);
                        admitted.incrementAndGet();
                        admittedFrom.add(from);
                    } else {
                        assertThat(reply).isEqualTo(FULL);
                        refused.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
        assertThat(admitted.get()).as("the places left under maxConnections").isEqualTo(MAX - 60);
        assertThat(refused.get()).isEqualTo(300 - (MAX - 60));
        assertThat(transport.activeConnections()).isEqualTo(MAX);

        // while it holds: a client from a fresh address gets the 421 and a close
        Socket fresh = connect("127.0.5.1", port);
        assertThat(greetingOrRefusal(fresh)).isEqualTo(FULL);
        assertThat(transport.metrics().get(ServerMetrics.Counter.CONNECTIONS_REFUSED)).isEqualTo(30 + 260 + 1);

        // the per-client counters hold the addresses with a connection open and no other: the refused
        // flood reached no session
        assertThat(server.clients.tracked()).isEqualTo(30 + 40);
        assertThat(server.connectionRate.tracked()).isEqualTo(30 + 40).isLessThanOrEqualTo(ConnectionRate.MAX_TRACKED);

        // every admitted connection is served
        for (Socket s : held) {
            s.getOutputStream().write("EHLO flood.test\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        for (Socket s : held) {
            assertThat(SmtpReplyReader.reply(s.getInputStream())).startsWith("250-mx.test");
        }
        Socket one = held.getLast();
        for (String[] step : new String[][] {{"MAIL FROM:<a@flood.test>", "250 "}, {"RCPT TO:<b@example.org>", "250 "},
                {"DATA", "354 "}, {"Subject: held\r\n\r\nserved during the flood\r\n.", "250 "}, {"QUIT", "221 "}}) {
            one.getOutputStream().write((step[0] + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            assertThat(SmtpReplyReader.reply(one.getInputStream())).startsWith(step[1]);
        }

        // the flood ends: nothing stays counted
        for (Socket s : held) {
            s.close();
        }
        await("every flood connection seen closed", () -> transport.activeConnections() == 0);
        await("no address counted", () -> server.clients.tracked() == 0);

        // the fresh client is served now, and gives its place back when it goes
        try (RawSmtpClient c = new RawSmtpClient("127.0.5.1", port)) {
            assertThat(c.deliver("a@example.org", "b@example.org", "Subject: after\r\n\r\nserved\r\n")).startsWith("250 ");
            assertThat(server.clients.tracked()).isEqualTo(1);
        }
        await("the fresh client's place given back", () -> server.clients.tracked() == 0 && transport.activeConnections() == 0);
        assertThat(server.connectionRate.tracked()).isEqualTo(30 + 40 + 1);
    }
}
