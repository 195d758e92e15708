package dev.postern;

import dev.postern.netty.NettyTransport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * An embeddable SMTP server: build it with a configuration and a handler, start it, stop it.
 *
 * <pre>{@code
 * SmtpServer server = SmtpServer.builder()
 *         .listen("127.0.0.1", 2525)
 *         .hostname("mx.example.org")
 *         .handler(new SmtpHandler() {
 *             public void onMessage(SmtpSession s, ReceivedMessage m) throws Exception {
 *                 try (var in = m.openStream()) { store(m.envelope(), in); }
 *             }
 *         })
 *         .build()
 *         .start();
 * ...
 * server.stop(Duration.ofSeconds(10));
 * }</pre>
 */
public final class SmtpServer implements AutoCloseable {

    static {
        NettyTransport.loadAhead(); // the first server of a JVM: Netty's and Postern's classes load meanwhile on another core
    }


    private final SmtpServerConfig config;
    private final SmtpHandler handler;
    private final NettyTransport transport;

    private SmtpServer(SmtpServerConfig config, SmtpHandler handler, Builder loops) {
        this.config = config;
        this.handler = handler;
        this.transport = new NettyTransport(config, handler, loops.nativeTransport, loops.sharedEventLoops, loops.eventLoops,
                List.copyOf(loops.observers));
    }

    /**
     * A builder with the configuration defaults of {@link SmtpServerConfig.Builder} and a handler that
     * overrides no hook: it accepts every message and discards it, and refuses AUTH.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Binds every listener; throws (and releases what was bound) if any cannot be bound.
     *
     * @return this server, for chaining
     * @throws IOException           if a listener cannot be bound (address in use, unknown host)
     * @throws IllegalStateException if the server is running already
     */
    public SmtpServer start() throws IOException {
        transport.start();
        return this;
    }

    /**
     * The addresses actually bound (useful with port 0).
     *
     * @return one address per bound socket ({@code "localhost"} binds two, {@code "*"} one); empty before
     *         {@link #start()} and after {@link #stop(Duration)}
     */
    public List<InetSocketAddress> boundAddresses() {
        return transport.boundAddresses();
    }

    /**
     * The first bound port, a convenience for tests and single-listener servers.
     *
     * @return the port of the first bound address
     * @throws IndexOutOfBoundsException if the server is not running
     */
    public int port() {
        return boundAddresses().get(0).getPort();
    }

    /**
     * Stops accepting connections, lets open sessions finish within {@code grace}, then sends
     * {@code 421 4.3.2} to those still open and closes them; a hook still running about 2 seconds later
     * has its thread interrupted. Blocks until done (the last session to end wakes it: it never polls);
     * does nothing if the server is not running. Event loops of the server's own are shut down; shared
     * and lent ones go on (see {@link Builder#sharedEventLoops(boolean)}).
     *
     * @param grace how long open sessions may go on; zero sends the 421 at once
     */
    public void stop(Duration grace) {
        transport.stop(grace);
    }

    /** {@link #stop(Duration)} with a grace of 5 seconds. */
    @Override
    public void close() {
        stop(Duration.ofSeconds(5));
    }

    /**
     * Connections open now.
     *
     * @return the number of admitted connections (under {@code maxConnections}) not yet closed
     */
    public int activeConnections() {
        return transport.activeConnections();
    }

    /**
     * The sessions open now, for an operator's view of who is connected: each with its real client (after
     * PROXY or XCLIENT), the proxy's address, TLS, the authenticated user and the transaction under way.
     * The list is a snapshot taken at the call and does not change; the sessions in it are live views,
     * read without locking while their connections go on, so each value is current but several values of
     * one session are not read at one instant. A session is listed from its accept until its disconnect.
     *
     * @return the open sessions, in no particular order; empty when the server is not running
     */
    public List<SmtpSession> openSessions() {
        return transport.openSessions();
    }

    /**
     * The server's counters (connections, messages, TLS, AUTH, PROXY, error replies).
     *
     * @return the live counters, shared with the running server
     */
    public ServerMetrics metrics() {
        return transport.metrics();
    }

    /**
     * Adds an observer of the server's durations and sizes (see {@link SessionObserver}), from now on:
     * hooks are timed in the sessions that start after this call; sessions already open report their
     * end and their messages.
     *
     * @param observer the observer; it must be thread-safe and must not block
     * @throws NullPointerException if {@code observer} is null
     */
    public void addObserver(SessionObserver observer) {
        transport.addObserver(observer);
    }

    /**
     * Removes an observer added with {@link #addObserver} or {@link Builder#observer}.
     *
     * @param observer the observer
     * @return whether it was there
     */
    public boolean removeObserver(SessionObserver observer) {
        return transport.removeObserver(observer);
    }

    /**
     * The configuration the server was built with.
     *
     * @return the configuration
     */
    public SmtpServerConfig config() {
        return config;
    }

    /**
     * The handler whose hooks the sessions call.
     *
     * @return the handler given to the builder, or the default one
     */
    public SmtpHandler handler() {
        return handler;
    }

    /** Builds a server from a configuration (or configuration shortcuts) and a handler. */
    public static final class Builder {
        private SmtpServerConfig.Builder config = SmtpServerConfig.builder();
        private SmtpHandler handler = new SmtpHandler() {
            @Override
            public boolean isNonBlocking() {
                return true;
            }
        };
        private boolean nativeTransport;
        private boolean sharedEventLoops = true;
        private ScheduledExecutorService eventLoops;

        private final List<SessionObserver> observers = new ArrayList<>();

        private Builder() {
        }

        /**
         * Adds an observer of durations and sizes (sessions, messages, hooks) from the first session on;
         * may be called more than once. Default: none, and then nothing is measured.
         *
         * @param observer the observer; it must be thread-safe and must not block
         * @return this builder
         * @throws NullPointerException if {@code observer} is null
         */
        public Builder observer(SessionObserver observer) {
            observers.add(Objects.requireNonNull(observer, "observer"));
            return this;
        }

        /**
         * Replaces every configuration setting with those of {@code config}.
         *
         * @param config the settings to start from; later builder calls change them
         * @return this builder
         * @throws NullPointerException if {@code config} is null
         */
        public Builder config(SmtpServerConfig config) {
            this.config = config.toBuilder();
            return this;
        }

        /**
         * Changes configuration settings in place: {@code .configure(c -> c.maxRecipients(50))}.
         *
         * @param change called once, now, with the configuration builder
         * @return this builder
         */
        public Builder configure(Consumer<SmtpServerConfig.Builder> change) {
            change.accept(config);
            return this;
        }

        /**
         * Adds a plain listener, as {@link SmtpServerConfig.Builder#listen(String, int)}. Default when none
         * is added: 127.0.0.1:2525.
         *
         * @param host an IP literal, a host name, {@code "*"} (every interface) or {@code "localhost"} (both loopbacks)
         * @param port the TCP port, 0..65535; 0 for a free port chosen by the OS
         * @return this builder
         * @throws IllegalArgumentException if {@code host} is blank or {@code port} is out of range
         */
        public Builder listen(String host, int port) {
            config.listen(host, port);
            return this;
        }

        /**
         * The name the server gives itself, as {@link SmtpServerConfig.Builder#hostname(String)}. Default:
         * the local host's canonical name.
         *
         * @param hostname a name without spaces or control characters
         * @return this builder
         */
        public Builder hostname(String hostname) {
            config.hostname(hostname);
            return this;
        }

        /**
         * The application's hooks. Default: a handler that accepts every message and discards it.
         *
         * @param handler the handler, shared by every session (so it must be thread-safe)
         * @return this builder
         * @throws NullPointerException if {@code handler} is null
         */
        public Builder handler(SmtpHandler handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * Whether to use Netty's native epoll transport where it loads (Linux x86_64 and aarch64, with
         * {@code netty-transport-native-epoll} on the class path), else the JDK's NIO. Default: false. NIO
         * starts faster (the native library is extracted and linked on first use, the costliest step of
         * a cold start) and serves tests and modest servers as well; epoll spends less CPU per connection
         * under sustained load, so the standalone server turns it on.
         *
         * @param nativeTransport true for epoll where available
         * @return this builder
         */
        public Builder nativeTransport(boolean nativeTransport) {
            this.nativeTransport = nativeTransport;
            return this;
        }

        /**
         * Whether the server runs on the event loops that every Postern server of the JVM shares. Default:
         * true. The shared loops (half the cores, at least one; daemon threads named {@code postern-io-N},
         * one group per transport) are made by the first server to start and kept for the next, so that a
         * test suite starting and stopping servers creates threads once and a stop never waits for threads
         * to end; 30 seconds after the last server on them stopped, they end (the next start makes them
         * again), so an application that stops its servers gets its threads back. A configuration with {@link SmtpServerConfig#ioThreads()} above zero, or {@code false}
         * here, gives the server loops of its own, made at start and ended by stop. Hooks that block run
         * on virtual threads either way; only a handler that claims {@link SmtpHandler#isNonBlocking()}
         * and blocks would hold up the other servers on shared loops.
         *
         * @param shared false for loops of the server's own
         * @return this builder
         */
        public Builder sharedEventLoops(boolean shared) {
            this.sharedEventLoops = shared;
            return this;
        }

        /**
         * Runs the server on event loops the application lends: a Netty 4.2
         * {@code MultiThreadIoEventLoopGroup} of NIO or epoll that it runs already (an application serving
         * HTTP with Netty, say), typed here as the {@link ScheduledExecutorService} every Netty group is, so
         * that Netty stays out of Postern's API. The server never shuts it down. Takes precedence over
         * {@link #sharedEventLoops(boolean)}, {@link #nativeTransport(boolean)} and
         * {@link SmtpServerConfig#ioThreads()}.
         *
         * @param group a running Netty NIO or epoll event loop group; null for none
         * @return this builder
         * @throws IllegalArgumentException (at {@link SmtpServer#start()}) if {@code group} is not a Netty
         *                                  NIO or epoll group
         * @throws IllegalStateException    (at {@link SmtpServer#start()}) if {@code group} is shut down
         */
        public Builder eventLoops(ScheduledExecutorService group) {
            this.eventLoops = group;
            return this;
        }

        /**
         * Builds the server, not yet started. The TLS key and certificate, if any, are loaded now.
         *
         * @return the server; call {@link SmtpServer#start()} to listen
         * @throws IllegalArgumentException if the configuration is invalid (see {@link SmtpServerConfig}) or a
         *                                  TLS key or certificate cannot be loaded
         * @throws IllegalStateException    if a self-signed certificate is asked for without Bouncy Castle
         */
        public SmtpServer build() {
            return new SmtpServer(config.build(), handler, this);
        }
    }
}
