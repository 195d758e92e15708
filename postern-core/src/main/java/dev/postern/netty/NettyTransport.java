package dev.postern.netty;

import dev.postern.Listener;
import dev.postern.LogLevel;
import dev.postern.ServerMetrics;
import dev.postern.SmtpSession;
import dev.postern.SessionObserver;
import dev.postern.SmtpHandler;
import dev.postern.SmtpReply;
import dev.postern.SmtpServerConfig;
import dev.postern.protocol.Replies;
import dev.postern.proxy.internal.ProxyPolicy;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;

import java.io.IOException;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The Netty side of a server: event loops ({@link EventLoops}: shared, dedicated or lent; NIO, or epoll
 * when asked), one server channel per listener address, and the graceful stop. Each accepted connection starts at the listener's
 * {@link Admission}, which builds the rest of its pipeline ({@link ConnectionPipeline}).
 */
public final class NettyTransport {

    static {
        NettyDefaults.apply();
    }

    private final ServerContext server;
    /** Pending connections the kernel queues per listener before they are accepted. */
    private static final int BACKLOG = 1024;

    private final List<Channel> serverChannels = Collections.synchronizedList(new ArrayList<>());
    /** Registrations of listeners bound on the caller's thread (NIO), awaited before they are closed. */
    private final List<ChannelFuture> registrations = Collections.synchronizedList(new ArrayList<>());
    private final TransportOptions options;
    /** Null while stopped. */
    private EventLoops.Lease loops;

    /**
     * @param nativeTransport epoll where available, else NIO
     * @param shared          the JVM's shared loops (when ioThreads is 0 and nothing is lent)
     * @param lent            the application's Netty group, or null
     * @param observers       told of durations and sizes
     */
    public NettyTransport(SmtpServerConfig config, SmtpHandler handler, boolean nativeTransport, boolean shared,
                          ScheduledExecutorService lent, List<SessionObserver> observers) {
        this.server = new ServerContext(config, handler, observers);
        this.options = new TransportOptions(nativeTransport, shared, lent);
    }

    /** Starts loading, on another thread, the classes a first server and session need ({@link ColdStart}). */
    public static void loadAhead() {
        ColdStart.begin();
    }

    public synchronized void start() throws IOException {
        if (loops != null) {
            throw new IllegalStateException("server already started");
        }
        // One group, no acceptor thread of its own: a listener accepts on one of the loops, which is often
        // awake anyway, instead of on a thread that must wake for every connection and hand it over.
        loops = EventLoops.lease(server.config.ioThreads(), options);
        for (String warning : ProxyPolicy.warnings(server.config)) {
            server.log(null, LogLevel.WARN, "server", warning, null);
        }
        try {
            for (Listener listener : server.config.listeners()) {
                for (InetSocketAddress address : resolve(listener)) {
                    try {
                        serverChannels.add(listen(new Acceptor(server, loops.group(), new Admission(server, listener)), address));
                    } catch (Exception e) {
                        if (listener.host().equals("localhost") && address.getAddress() instanceof Inet6Address) {
                            // "localhost" means both loopbacks where they exist; a host without IPv6 is fine.
                            continue;
                        }
                        throw bindFailure(address, e);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            stop(Duration.ZERO);
            throw e;
        }
        StringBuilder listening = new StringBuilder("listening on [");
        for (InetSocketAddress a : boundAddresses()) {
            listening.append(listening.length() > 14 ? ", " : "").append(a.getAddress().getHostAddress()).append(':').append(a.getPort());
        }
        server.log(null, LogLevel.DEBUG, "server", listening.append("] (").append(loops.transport()).append(')').toString(), null);
    }

    /**
     * Listens on one address. On NIO the socket is bound here, on the caller's thread, and handed to the event
     * loop to accept on: the kernel queues connections from the bind on, so {@code start()} need not wait for
     * the loop (a warm start was mostly that wait: a register and a bind task, each a hand-off between threads).
     * The registration is awaited by {@link #stop} before the channel is closed. Other transports register,
     * then bind on the loop. No ServerBootstrap: see {@link Acceptor}.
     */
    private Channel listen(Acceptor acceptor, InetSocketAddress address) throws Exception {
        if (loops.channelType() != NioServerSocketChannel.class) {
            ServerChannel channel = loops.channelType().getConstructor().newInstance();
            channel.config().setOption(ChannelOption.SO_BACKLOG, BACKLOG);
            channel.config().setOption(ChannelOption.SO_REUSEADDR, true);
            channel.pipeline().addLast(acceptor);
            try {
                loops.group().register(channel).sync();
                return channel.bind(address).sync().channel();
            } catch (Exception e) {
                if (channel.isRegistered()) {
                    channel.close().awaitUninterruptibly();
                } else {
                    channel.unsafe().closeForcibly();
                }
                throw e;
            }
        }
        ServerSocketChannel socket = ServerSocketChannel.open();
        try {
            socket.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            socket.bind(address, BACKLOG);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        NioServerSocketChannel channel = new NioServerSocketChannel(socket);
        channel.pipeline().addLast(acceptor);
        ChannelFuture registration = loops.group().register(channel);
        registrations.add(registration);
        registration.addListener(new PreBound(server, socket, address));
        return channel;
    }

    /** A socket bound on the caller's thread: its clean-up if the loop refuses it. */
    private record PreBound(ServerContext server, ServerSocketChannel socket, InetSocketAddress address)
            implements ChannelFutureListener {

        @Override
        public void operationComplete(ChannelFuture registered) throws IOException {
            if (!registered.isSuccess()) {
                server.log(null, LogLevel.ERROR, "server", "cannot accept on " + address, registered.cause());
                socket.close();
            }
        }
    }

    private static IOException bindFailure(InetSocketAddress address, Exception e) {
        Throwable cause = e;
        if (e instanceof BindException || e.getCause() instanceof BindException) {
            cause = e instanceof BindException ? e : e.getCause();
        }
        return new IOException("cannot listen on " + address + ": " + cause.getMessage(), e);
    }

    /** How a listener's host name is resolved; a seam for tests. */
    interface HostLookup {
        InetAddress[] all(String host) throws UnknownHostException;
    }

    /**
     * {@code *} = every interface (the IPv6 wildcard, dual-stack, or IPv4's where IPv6 is absent); a host
     * name = every address it resolves to, as MidiSmtpServer binds them (a name with an IPv4 and an IPv6
     * address listens on both).
     */
    static List<InetSocketAddress> resolve(Listener listener) throws UnknownHostException {
        return resolve(listener, InetAddress::getAllByName);
    }

    static List<InetSocketAddress> resolve(Listener listener, HostLookup lookup) throws UnknownHostException {
        String host = listener.host();
        int port = listener.port();
        return switch (host) {
            case "*" -> List.of(ipv6Available()
                    ? new InetSocketAddress(InetAddress.getByName("::"), port)
                    : new InetSocketAddress(InetAddress.getByName("0.0.0.0"), port));
            case "localhost" -> List.of(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port),
                    new InetSocketAddress(InetAddress.getByName("::1"), port));
            default -> {
                List<InetSocketAddress> addresses = new ArrayList<>();
                for (InetAddress a : new LinkedHashSet<>(List.of(lookup.all(host)))) {
                    addresses.add(new InetSocketAddress(a, port));
                }
                yield List.copyOf(addresses);
            }
        };
    }

    private static boolean ipv6Available() {
        try {
            return NetworkInterface.networkInterfaces()
                    .flatMap(NetworkInterface::inetAddresses)
                    .anyMatch(a -> a instanceof Inet6Address);
        } catch (SocketException e) {
            return false;
        }
    }

    public List<InetSocketAddress> boundAddresses() {
        synchronized (serverChannels) {
            List<InetSocketAddress> bound = new ArrayList<>(serverChannels.size());
            for (Channel c : serverChannels) { // a loop: a first stream or lambda costs a cold start class spinning
                bound.add((InetSocketAddress) c.localAddress());
            }
            return List.copyOf(bound);
        }
    }

    public ServerMetrics metrics() {
        return server.metrics;
    }

    public List<SmtpSession> openSessions() {
        return server.sessions.snapshot().stream().map(b -> (SmtpSession) b.session()).toList();
    }

    public void addObserver(SessionObserver observer) {
        server.observers.add(observer);
    }

    public boolean removeObserver(SessionObserver observer) {
        return server.observers.remove(observer);
    }

    /** What every connection shares, for tests in this package that look at the server-wide bounds. */
    ServerContext context() {
        return server;
    }

    public int activeConnections() {
        return server.connections.get();
    }

    /**
     * Closes the listeners, waits for open sessions (woken by the last one to end, never polling), then
     * 421s and closes what is left; ends the event loops only when they are the server's own.
     */
    public synchronized void stop(Duration grace) {
        if (loops == null) {
            return;
        }
        synchronized (registrations) {
            for (ChannelFuture registration : registrations) {
                registration.awaitUninterruptibly(); // a failed one has closed its socket
            }
            registrations.clear();
        }
        synchronized (serverChannels) {
            for (Channel c : serverChannels) {
                if (c.isRegistered()) {
                    c.close().syncUninterruptibly();
                }
            }
            serverChannels.clear();
        }
        if (!server.sessions.awaitEmpty(grace.toNanos())) {
            SmtpReply bye = Replies.shuttingDown(server.config.hostname());
            for (SessionBridge s : server.sessions.snapshot()) {
                s.shutdown(bye);
            }
            if (!server.sessions.awaitEmpty(TimeUnit.MILLISECONDS.toNanos(SessionTimer.FORCE_CLOSE_AFTER_MILLIS))) {
                for (SessionBridge s : server.sessions.snapshot()) {
                    s.channel().close();
                }
                // On loops that outlive this server, wait for the closes to finish, as a group's shutdown would.
                server.sessions.awaitEmpty(TimeUnit.SECONDS.toNanos(2));
            }
        }
        EventLoops.Lease used = loops;
        loops = null;
        used.release();
    }

    /**
     * 0 means half the cores, at least one. Netty's own default (2 x cores) suits handlers that may block;
     * ours do not (blocking hooks run on virtual threads), and on a small machine the extra loops cost
     * context switches: on 2 cores one loop spent 0.81-0.84x smtp-sink's CPU per connection against
     * 0.96-1.18x with Netty's four (bench/run.sh --also, README "Performance").
     */
    static int eventLoops(int configured) {
        return configured > 0 ? configured : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }
}
