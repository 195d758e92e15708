package dev.postern;

import dev.postern.netty.NettyTransport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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

    private final SmtpServerConfig config;
    private final SmtpHandler handler;
    private final NettyTransport transport;

    private SmtpServer(SmtpServerConfig config, SmtpHandler handler, List<SessionObserver> observers) {
        this.config = config;
        this.handler = handler;
        this.transport = new NettyTransport(config, handler, observers);
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
     * has its thread interrupted. Blocks until done; does nothing if the server is not running.
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
         * Builds the server, not yet started. The TLS key and certificate, if any, are loaded now.
         *
         * @return the server; call {@link SmtpServer#start()} to listen
         * @throws IllegalArgumentException if the configuration is invalid (see {@link SmtpServerConfig}) or a
         *                                  TLS key or certificate cannot be loaded
         * @throws IllegalStateException    if a self-signed certificate is asked for without Bouncy Castle
         */
        public SmtpServer build() {
            return new SmtpServer(config.build(), handler, List.copyOf(observers));
        }
    }
}
