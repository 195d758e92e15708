package dev.postern.netty;

import dev.postern.LogLevel;
import dev.postern.SmtpHandler;
import dev.postern.SmtpServer;
import dev.postern.SmtpSession;
import dev.postern.testing.RawSmtpClient;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Where a server's event loops come from (SmtpServer.Builder: shared, dedicated, lent; NIO or epoll), over real sockets. */
class EventLoopSharingTest {

    /** Runs on the event loop (non-blocking), so onConnect sees the loop's thread; keeps the DEBUG log lines. */
    static final class LoopWatcher implements SmtpHandler {
        final List<Thread> connectThreads = new CopyOnWriteArrayList<>();
        final List<String> log = new CopyOnWriteArrayList<>();

        @Override
        public boolean isNonBlocking() {
            return true;
        }

        @Override
        public void onConnect(SmtpSession session) {
            connectThreads.add(Thread.currentThread());
        }

        @Override
        public void onLogEvent(SmtpSession session, LogLevel level, String message, Throwable error) {
            log.add(message);
        }
    }

    private static SmtpServer start(LoopWatcher watcher, UnaryOperator<SmtpServer.Builder> options) throws IOException {
        return options.apply(SmtpServer.builder().listen("127.0.0.1", 0).hostname("mx.test").handler(watcher)).build().start();
    }

    /** Connects, reads the greeting, QUITs: one session, whose onConnect ran on the server's loop. */
    private static void oneSession(SmtpServer server) throws IOException {
        try (RawSmtpClient client = new RawSmtpClient(server.port())) {
            assertThat(client.reply()).startsWith("220 mx.test");
            assertThat(client.cmd("QUIT")).startsWith("221");
        }
    }

    @Test
    void byDefaultServersRunOnSharedDaemonLoopsThatOutliveTheirStop() throws Exception {
        LoopWatcher first = new LoopWatcher();
        SmtpServer a = start(first, b -> b);
        oneSession(a);
        a.stop(Duration.ofSeconds(5));
        Thread loop = first.connectThreads.getFirst();
        assertThat(loop.getName()).startsWith("postern-io-");
        assertThat(loop.isDaemon()).isTrue();
        assertThat(loop.isAlive()).as("a shared loop goes on after the server stops").isTrue();
        assertThat(first.log).anyMatch(l -> l.startsWith("listening on") && l.endsWith("(nio)"));

        LoopWatcher second = new LoopWatcher();
        SmtpServer b = start(second, x -> x);
        try {
            oneSession(b);
        } finally {
            b.stop(Duration.ofSeconds(5));
        }
        assertThat(second.connectThreads.getFirst().getName()).startsWith("postern-io-");
        assertThat(second.connectThreads.getFirst().isAlive()).isTrue();
    }

    @Test
    void sharedLoopsEndOnceNoServerHasUsedThemForTheIdleTime() throws Exception {
        Duration previous = EventLoops.idleTime(Duration.ofMillis(50));
        try {
            LoopWatcher first = new LoopWatcher();
            SmtpServer a = start(first, b -> b);
            SmtpServer b = start(new LoopWatcher(), x -> x);
            oneSession(a);
            a.stop(Duration.ZERO);
            Thread loop = first.connectThreads.getFirst();
            // b still runs on them: they stay however long that is
            oneSession(b);
            b.stop(Duration.ZERO);
            loop.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(loop.isAlive()).as("ended after the idle time once the last server stopped").isFalse();

            LoopWatcher next = new LoopWatcher();
            SmtpServer c = start(next, x -> x);
            try {
                oneSession(c);
            } finally {
                c.stop(Duration.ZERO);
            }
            assertThat(next.connectThreads.getFirst()).as("a new group for the next server").isNotSameAs(loop);
        } finally {
            EventLoops.idleTime(previous);
        }
    }

    /**
     * What the JVM's exit does ({@code postern-io-exit}, a shutdown hook): idle shared loops end at once, so that no
     * loop thread waits in epoll when HotSpot exits (it waited up to 300 ms for such threads: every test JVM that had
     * started a server paid it); loops a running server still uses are left alone. Measured in bench/startup.sh
     * (the JVM's wall time), not here: this test checks that the threads end, and that the running server serves.
     */
    @Test
    void atExitIdleSharedLoopsEndAndLoopsInUseAreLeftAlone() throws Exception {
        LoopWatcher idle = new LoopWatcher();
        SmtpServer a = start(idle, b -> b);
        oneSession(a);
        a.stop(Duration.ZERO);
        Thread idleLoop = idle.connectThreads.getFirst();
        EventLoops.endIdleAtExit();
        idleLoop.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(idleLoop.isAlive()).as("an idle shared loop ends at exit").isFalse();

        LoopWatcher busy = new LoopWatcher();
        SmtpServer b = start(busy, x -> x);
        try {
            oneSession(b);
            EventLoops.endIdleAtExit();
            oneSession(b);
            assertThat(busy.connectThreads).hasSize(2).allMatch(Thread::isAlive);
            assertThat(busy.connectThreads.get(1)).as("a new group after the idle one ended").isNotSameAs(idleLoop);
        } finally {
            b.stop(Duration.ZERO);
        }
    }

    @Test
    void sharedLoopsStopClosesTheSessionsStillOpen() throws Exception {
        LoopWatcher watcher = new LoopWatcher();
        SmtpServer server = start(watcher, b -> b);
        try (RawSmtpClient idle = new RawSmtpClient(server.port())) {
            assertThat(idle.reply()).startsWith("220");
            server.stop(Duration.ZERO);
            assertThat(server.activeConnections()).isZero();
            assertThat(idle.readToClose()).startsWith("421 4.3.2");
        }
        // the loops go on serving the next server
        SmtpServer next = start(new LoopWatcher(), b -> b);
        try {
            oneSession(next);
        } finally {
            next.stop(Duration.ZERO);
        }
    }

    @Test
    void withoutSharingTheServerOwnsItsLoopsAndItsStopEndsThem() throws Exception {
        LoopWatcher watcher = new LoopWatcher();
        SmtpServer server = start(watcher, b -> b.sharedEventLoops(false));
        oneSession(server);
        server.stop(Duration.ofSeconds(5));
        Thread loop = watcher.connectThreads.getFirst();
        assertThat(loop.isDaemon()).isFalse();
        loop.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(loop.isAlive()).as("the server's own loop ends with its stop").isFalse();
    }

    @Test
    void aConfiguredIoThreadCountGetsLoopsOfItsOwn() throws Exception {
        LoopWatcher watcher = new LoopWatcher();
        SmtpServer server = start(watcher, b -> b.configure(c -> c.ioThreads(1)));
        oneSession(server);
        server.stop(Duration.ofSeconds(5));
        Thread loop = watcher.connectThreads.getFirst();
        loop.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(loop.isAlive()).isFalse();
    }

    @Test
    void aLentGroupIsUsedAndLeftRunning() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("app-io", true), NioIoHandler.newFactory());
        try {
            LoopWatcher watcher = new LoopWatcher();
            SmtpServer server = start(watcher, b -> b.eventLoops(group).nativeTransport(true));
            oneSession(server);
            server.stop(Duration.ofSeconds(5));
            assertThat(watcher.connectThreads.getFirst().getName()).startsWith("app-io-");
            assertThat(group.isShuttingDown()).as("the application's group is the application's to end").isFalse();
            assertThat(watcher.log).anyMatch(l -> l.endsWith("(nio, lent)"));
            // and it can serve again
            SmtpServer again = start(new LoopWatcher(), b -> b.eventLoops(group));
            try {
                oneSession(again);
            } finally {
                again.stop(Duration.ZERO);
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void aLentGroupThatIsNeitherNioNorEpollIsRefusedAtStart() {
        EventLoopGroup local = new DefaultEventLoopGroup(1);
        try {
            SmtpServer server = SmtpServer.builder().listen("127.0.0.1", 0).eventLoops(local).build();
            assertThatThrownBy(server::start).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("NIO or epoll");
            assertThat(server.boundAddresses()).isEmpty();
        } finally {
            local.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void aLentGroupThatIsShutDownIsRefusedAtStart() {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        SmtpServer server = SmtpServer.builder().listen("127.0.0.1", 0).eventLoops(group).build();
        assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("shut down");
    }

    @Test
    void theNativeTransportIsEpollWhenAskedForAndAvailable() throws Exception {
        assertThat(NativeTransport.available()).as("netty-transport-native-epoll loads on this Linux x86_64 machine").isTrue();
        LoopWatcher watcher = new LoopWatcher();
        SmtpServer server = start(watcher, b -> b.nativeTransport(true).sharedEventLoops(false));
        try {
            oneSession(server);
        } finally {
            server.stop(Duration.ofSeconds(5));
        }
        assertThat(watcher.log).anyMatch(l -> l.startsWith("listening on") && l.endsWith("(epoll)"));
    }

    /** A port in use: start() says which address, and no socket of the failed listener is left open. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void aBusyPortFailsTheStartWithItsAddressAndLeavesNoSocketOpen(boolean nativeTransport) throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            taken.setReuseAddress(false);
            int port = taken.getLocalPort();
            // on shared loops, which outlive the server: nothing ends what a failed start leaves registered on them
            SmtpServer running = start(new LoopWatcher(), b -> b.nativeTransport(nativeTransport));
            try {
                long before = openDescriptors();
                for (int i = 0; i < 5; i++) {
                    SmtpServer server = SmtpServer.builder().listen("127.0.0.1", port).nativeTransport(nativeTransport).build();
                    assertThatThrownBy(server::start).isInstanceOf(IOException.class)
                            .hasMessageContaining("cannot listen on").hasMessageContaining(":" + port);
                    assertThat(server.boundAddresses()).isEmpty();
                }
                assertThat(openDescriptors()).as("descriptors after five failed starts").isLessThanOrEqualTo(before + 2);
                oneSession(running); // the loops serve on
            } finally {
                running.stop(Duration.ZERO);
            }
        }
    }

    private static long openDescriptors() throws IOException {
        try (var fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    @Test
    void aServerThatIsStartedTwiceIsRefusedAndAStoppedOneStartsAgain() throws Exception {
        SmtpServer server = start(new LoopWatcher(), b -> b);
        try {
            assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class);
            server.stop(Duration.ZERO);
            assertThat(server.boundAddresses()).isEmpty();
            server.start();
            oneSession(server);
        } finally {
            server.stop(Duration.ZERO);
        }
    }
}
