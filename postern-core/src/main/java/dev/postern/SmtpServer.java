package dev.postern;

import dev.postern.netty.NettyTransport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
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

    private SmtpServer(SmtpServerConfig config, SmtpHandler handler) {
        this.config = config;
        this.handler = handler;
        this.transport = new NettyTransport(config, handler);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Binds every listener; throws (and releases what was bound) if any cannot be bound. */
    public SmtpServer start() throws IOException {
        transport.start();
        return this;
    }

    /** The addresses actually bound (useful with port 0). */
    public List<InetSocketAddress> boundAddresses() {
        return transport.boundAddresses();
    }

    /** The first bound port, a convenience for tests and single-listener servers. */
    public int port() {
        return boundAddresses().get(0).getPort();
    }

    /**
     * Stops accepting connections, lets open sessions finish within {@code grace}, then sends
     * {@code 421 4.3.2} to those still open and closes them. Blocks until done.
     */
    public void stop(Duration grace) {
        transport.stop(grace);
    }

    /** {@link #stop(Duration)} with a grace of 5 seconds. */
    @Override
    public void close() {
        stop(Duration.ofSeconds(5));
    }

    public int activeConnections() {
        return transport.activeConnections();
    }

    /** The server's counters (connections, messages, TLS, AUTH, PROXY, error replies). */
    public ServerMetrics metrics() {
        return transport.metrics();
    }

    public SmtpServerConfig config() {
        return config;
    }

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

        private Builder() {
        }

        /** Replaces every configuration setting with those of {@code config}. */
        public Builder config(SmtpServerConfig config) {
            this.config = config.toBuilder();
            return this;
        }

        /** Changes configuration settings in place: {@code .configure(c -> c.maxRecipients(50))}. */
        public Builder configure(Consumer<SmtpServerConfig.Builder> change) {
            change.accept(config);
            return this;
        }

        public Builder listen(String host, int port) {
            config.listen(host, port);
            return this;
        }

        public Builder hostname(String hostname) {
            config.hostname(hostname);
            return this;
        }

        public Builder handler(SmtpHandler handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        public SmtpServer build() {
            return new SmtpServer(config.build(), handler);
        }
    }
}
