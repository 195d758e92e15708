package dev.postern.relay.client;

import dev.postern.relay.DeliveryReport;
import dev.postern.relay.DeliveryRequest;
import dev.postern.relay.OutboundTransport;
import dev.postern.relay.client.internal.Engine;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The outbound SMTP/LMTP client: hands queued mail to smarthosts, an LMTP server or MX hosts, directly or
 * through SOCKS5 proxies chosen as Exim chooses them.
 *
 * <pre>{@code
 * RelayClient client = RelayClient.create(RelayClientConfig.builder()
 *         .target("smtp://relay.example.org:587")
 *         .tlsMode(TlsMode.VERIFY)
 *         .auth("user", "secret")
 *         .socksProxies("192.0.2.1 port=1080 pri=2 : 192.0.2.2 auth=name name=u pass=p")
 *         .build());
 * DeliveryReport report = client.deliver(request).join();
 * client.close();
 * }</pre>
 *
 * Each delivery runs on its own virtual thread; every wait is bounded by {@link RelayTimeouts}, and the
 * returned future always completes normally. Sessions are kept for {@link RelayClientConfig#idleTime()} and
 * reused (after RSET) by the next delivery of the same route, within the configured connection limits.
 * Each attempt logs one line per group of recipients with the same outcome to the SLF4J logger
 * {@code dev.postern.relay.delivery}: queue id, route, recipients, remote host, {@code PRX=[address]:port}
 * when a proxy was used, status and reply.
 */
public final class RelayClient implements OutboundTransport {

    /** Event loop threads of a client that owns its loops: outbound mail is rarely I/O-bound. */
    static final int OWN_IO_THREADS = 2;

    private final Engine engine;

    private RelayClient(Engine engine) {
        this.engine = engine;
    }

    /**
     * A client with event loops of its own (NIO), shut down by {@link #close()}.
     *
     * @param config the configuration
     * @return the client
     * @throws IllegalArgumentException when the TLS CA file cannot be read
     */
    public static RelayClient create(RelayClientConfig config) {
        Objects.requireNonNull(config, "config");
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(OWN_IO_THREADS, NioIoHandler.newFactory());
        try {
            return new RelayClient(new Engine(config, group, true));
        } catch (RuntimeException e) {
            group.shutdownGracefully();
            throw e;
        }
    }

    /**
     * A client on shared event loops (an NIO or epoll group, e.g. the server's), which {@link #close()}
     * leaves running.
     *
     * @param config the configuration
     * @param group  the loops
     * @return the client
     * @throws IllegalArgumentException when the TLS CA file cannot be read
     */
    public static RelayClient create(RelayClientConfig config, EventLoopGroup group) {
        return new RelayClient(new Engine(Objects.requireNonNull(config, "config"), Objects.requireNonNull(group, "group"), false));
    }

    @Override
    public String route(String recipient) {
        return engine.route(recipient);
    }

    @Override
    public CompletableFuture<DeliveryReport> deliver(DeliveryRequest request) {
        return engine.deliver(Objects.requireNonNull(request, "request"));
    }

    /** @return connections open or being opened, idle ones included (for monitoring and tests) */
    public int openConnections() {
        return engine.openConnections();
    }

    @Override
    public void close() {
        engine.close();
    }
}
