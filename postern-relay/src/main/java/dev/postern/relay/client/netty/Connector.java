package dev.postern.relay.client.netty;

import dev.postern.relay.client.SocksProxy;
import dev.postern.relay.client.protocol.Deadline;
import dev.postern.relay.client.protocol.Durations;
import dev.postern.relay.client.protocol.WireException;
import dev.postern.relay.socks.ProxyOrder;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.proxy.ProxyConnectException;
import io.netty.handler.proxy.Socks5ProxyHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.NetUtil;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.random.RandomGenerator;

/**
 * Opens connections, directly or through SOCKS5 proxies (Netty's {@link Socks5ProxyHandler}, RFC 1928
 * and RFC 1929). With proxies, they are tried in {@link ProxyOrder}'s order: each attempt (TCP connect,
 * method, authentication, CONNECT) is bounded by the proxy's {@code tmo}, and any failure of it (refused
 * connection, refused credentials, refused CONNECT, silence) moves on to the next proxy; the connect
 * timeout bounds all attempts together, as Exim's overall connection timeout does. A proxy failure is
 * never a message failure: when every proxy fails, the address is unreachable for now.
 */
public final class Connector {

    private final EventLoopGroup group;
    private final Transports transports;
    private final SslContext tls;
    private final List<SocksProxy> proxies;
    private final RandomGenerator random;

    /**
     * @param group      the event loops
     * @param transports the channel classes for them
     * @param tls        the STARTTLS context, or null
     * @param proxies    the SOCKS5 proxies, empty for direct connections
     * @param random     the source of the proxies' weighted order
     */
    public Connector(EventLoopGroup group, Transports transports, SslContext tls, List<SocksProxy> proxies,
                     RandomGenerator random) {
        this.group = group;
        this.transports = transports;
        this.tls = tls;
        this.proxies = List.copyOf(proxies);
        this.random = random;
    }

    /**
     * Connects to one address of a host.
     *
     * @param hostName       the host's name (for the report, SNI and certificate verification)
     * @param address        the address and port
     * @param connectTimeout the bound of the whole connection, every proxy attempt included
     * @param deadline       the transaction's end
     * @return the connection, its greeting not yet read
     * @throws ConnectFailure when it cannot be reached
     */
    public Connection connect(String hostName, InetSocketAddress address, Duration connectTimeout, Deadline deadline)
            throws ConnectFailure {
        String remote = hostName + "[" + address.getAddress().getHostAddress() + "]:" + address.getPort();
        Deadline overall;
        try {
            overall = Deadline.in(deadline.cap(connectTimeout));
        } catch (WireException e) {
            throw new ConnectFailure(e.getMessage(), "");
        }
        if (proxies.isEmpty()) {
            try {
                return new Connection(open(hostName, address, null, overall, "connect timed out"), remote, "");
            } catch (AttemptFailed e) {
                throw new ConnectFailure("cannot connect to " + remote + ": " + e.getMessage(), "");
            }
        }
        List<String> failures = new ArrayList<>();
        String last = "";
        for (SocksProxy proxy : ProxyOrder.draw(proxies, random)) {
            if (overall.remaining().isZero()) {
                failures.add("connect timeout of " + Durations.text(connectTimeout) + " reached");
                break;
            }
            last = proxy.logItem();
            Duration left = overall.remaining();
            boolean capped = left.compareTo(proxy.timeout()) < 0;
            Deadline attempt = Deadline.in(capped ? left : proxy.timeout());
            String silence = capped ? "no answer before the connect timeout of " + Durations.text(connectTimeout)
                    : "no answer within tmo " + Durations.text(proxy.timeout());
            try {
                return new Connection(open(hostName, address, proxy, attempt, silence), remote, proxy.logItem());
            } catch (AttemptFailed e) {
                failures.add(proxy.logItem() + " " + e.getMessage());
            }
        }
        throw new ConnectFailure("cannot connect to " + remote + " through any SOCKS5 proxy: " + String.join("; ", failures), last);
    }

    /** One attempt, direct or through one proxy, bounded by {@code attempt}; {@code silence} says it ran out. */
    private NettyWire open(String hostName, InetSocketAddress address, SocksProxy proxy, Deadline attempt, String silence)
            throws AttemptFailed {
        ReplyFramer framer = new ReplyFramer();
        ReplyHandler replies = new ReplyHandler();
        Socks5ProxyHandler socks = proxy == null ? null : socksHandler(proxy, attempt.remaining());
        Bootstrap b = new Bootstrap().group(group).channel(transports.socket())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, Math.min(Integer.MAX_VALUE, attempt.remaining().toMillis())))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (socks != null) {
                            ch.pipeline().addLast("socks", socks);
                        }
                        ch.pipeline().addLast(NettyWire.FRAMER, framer).addLast(NettyWire.REPLIES, replies);
                    }
                });
        ChannelFuture connect = b.connect(address);
        Channel channel = connect.channel();
        try {
            Await.get(connect, attempt.remaining());
            if (socks != null) {
                Await.get(socks.connectFuture(), attempt.remaining());
            }
            return new NettyWire(channel, framer, replies, tls, hostName, address.getPort());
        } catch (TimeoutException e) {
            channel.close();
            throw new AttemptFailed(silence);
        } catch (ExecutionException e) {
            channel.close();
            throw new AttemptFailed(proxy == null ? describe(e.getCause()) : describeProxy(e.getCause(), silence));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            channel.close();
            throw new AttemptFailed("interrupted");
        }
    }

    private static Socks5ProxyHandler socksHandler(SocksProxy proxy, Duration bound) {
        InetSocketAddress at = new InetSocketAddress(NetUtil.createInetAddressFromIpAddressString(proxy.address()), proxy.port());
        Socks5ProxyHandler h = proxy.auth() == SocksProxy.Auth.NAME
                ? new Socks5ProxyHandler(at, proxy.name(), proxy.pass())
                : new Socks5ProxyHandler(at);
        h.setConnectTimeoutMillis(Math.max(1, bound.toMillis()));
        return h;
    }

    private static String describe(Throwable cause) {
        String m = cause.getMessage();
        if (cause instanceof ConnectException && m != null && m.toLowerCase(Locale.ROOT).contains("refused")) {
            return "connection refused";
        }
        if (cause instanceof ConnectTimeoutException) {
            return "connect timed out";
        }
        return m == null ? cause.getClass().getSimpleName() : m;
    }

    /**
     * Netty's proxy messages read {@code socks5, password, /127.0.0.1:1080 => /192.0.2.1:25, authStatus: FAILURE(1)}:
     * keep what follows the addresses, in words.
     */
    private static String describeProxy(Throwable cause, String silence) {
        if (!(cause instanceof ProxyConnectException)) {
            return describe(cause);
        }
        String m = String.valueOf(cause.getMessage());
        int comma = m.lastIndexOf(", ");
        String detail = comma < 0 ? m : m.substring(comma + 2);
        if (detail.startsWith("authStatus")) {
            return "refused the credentials (" + detail + ")";
        }
        if (detail.startsWith("unexpected authMethod")) {
            return "refused the authentication method (" + detail + ")";
        }
        if (detail.startsWith("status")) {
            return "refused the CONNECT (" + detail + ")";
        }
        if (detail.startsWith("timeout")) {
            return silence; // Netty's own handshake timer, set to the same bound
        }
        return detail;
    }

    /** One attempt failed; the message says how. */
    private static final class AttemptFailed extends Exception {
        AttemptFailed(String message) {
            super(message);
        }
    }
}
