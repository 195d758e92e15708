package dev.postern.testing;

import dev.postern.Listener;
import dev.postern.ServerMetrics;
import dev.postern.SmtpHandler;
import dev.postern.SmtpServer;
import dev.postern.SmtpServerConfig;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A started {@link SmtpServer} for a socket test: named mx.test, listening on 127.0.0.1 on a port the
 * OS picks, unless the test's configuration says otherwise. {@link #close} stops it at once; use it in
 * try-with-resources, or let {@link TestServers} stop it after the test.
 *
 * <pre>{@code
 * try (TestServer server = TestServer.start(handler, c -> c.maxRecipients(2))) {
 *     new RawSmtpClient(server.port())...
 * }
 * }</pre>
 */
public final class TestServer implements AutoCloseable {

    private final SmtpServer server;
    private final Runnable stop;

    private TestServer(SmtpServer server, Runnable stop) {
        this.server = server;
        this.stop = stop;
    }

    /** 127.0.0.1, port 0: the listener every test server has unless its configuration clears it. */
    public static Listener loopback() {
        return Listener.of("127.0.0.1", 0);
    }

    public static TestServer start(SmtpHandler handler) throws IOException {
        return start(handler, c -> { });
    }

    /**
     * Builds and starts a server with {@code handler}; {@code config} changes the defaults (one
     * {@link #loopback()} listener, hostname mx.test) as {@link SmtpServer.Builder#configure} does.
     */
    public static TestServer start(SmtpHandler handler, Consumer<SmtpServerConfig.Builder> config) throws IOException {
        SmtpServer server = SmtpServer.builder()
                .configure(c -> c.clearListeners().listen(loopback()).hostname("mx.test"))
                .configure(config)
                .handler(handler)
                .build()
                .start();
        return new TestServer(server, () -> server.stop(Duration.ZERO));
    }

    /** A server something else built and started (the standalone server, say), and how to stop it. */
    public static TestServer of(SmtpServer started, Runnable stop) {
        return new TestServer(started, stop);
    }

    public SmtpServer server() {
        return server;
    }

    /** The port of the first listener. */
    public int port() {
        return server.port();
    }

    /** The port of the {@code index}th listener, in the order they were configured. */
    public int port(int index) {
        return address(index).getPort();
    }

    /** The address of the first listener as an IP literal: what a client connects to. */
    public String host() {
        return address(0).getAddress().getHostAddress();
    }

    public ServerMetrics metrics() {
        return server.metrics();
    }

    /**
     * Waits up to 5 s until no connection is open. The server counts a connection as closed once it has
     * seen the close, a little after the client has closed it: a test that counts connections waits here.
     */
    public void awaitNoConnections() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (server.activeConnections() > 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(server.activeConnections() + " connections still open after 5 s");
            }
            Thread.sleep(10);
        }
    }

    private InetSocketAddress address(int index) {
        return server.boundAddresses().get(index);
    }

    /** Stops the server without a grace period; stopping a stopped server does nothing. */
    @Override
    public void close() {
        stop.run();
    }
}
