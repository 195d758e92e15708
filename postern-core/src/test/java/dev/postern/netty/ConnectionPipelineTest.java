package dev.postern.netty;

import dev.postern.Listener;
import dev.postern.ServerMetrics.Counter;
import dev.postern.SmtpHandler;
import dev.postern.SmtpServerConfig;
import dev.postern.SmtpSession;
import dev.postern.proxy.ProxyInfo;
import dev.postern.proxy.ProxyProtocolMode;
import dev.postern.proxy.TrustedSources;
import dev.postern.testing.V2Header;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The connection pipeline on an embedded channel (inline hooks, the embedded event loop's clock):
 * which handlers a connection gets, what each leaves behind, and the timers.
 */
class ConnectionPipelineTest {

    /** An embedded channel with TCP addresses, as the session expects. */
    static final class TcpChannel extends EmbeddedChannel {
        private final InetSocketAddress remote;

        TcpChannel(String remoteIp) {
            super(false, false);
            this.remote = new InetSocketAddress(remoteIp, 40000);
        }

        @Override
        protected SocketAddress localAddress0() {
            return new InetSocketAddress("127.0.0.1", 25);
        }

        @Override
        protected SocketAddress remoteAddress0() {
            return remote;
        }

        String replies() {
            StringBuilder out = new StringBuilder();
            ByteBuf b;
            while ((b = readOutbound()) != null) {
                out.append(b.toString(StandardCharsets.US_ASCII));
                b.release();
            }
            return out.toString();
        }
    }

    /** Records what the session learns, without blocking (inline hooks). */
    static final class Hooks implements SmtpHandler {
        final List<String> seen = new ArrayList<>();

        @Override
        public boolean isNonBlocking() {
            return true;
        }

        @Override
        public void onConnect(SmtpSession s) {
            seen.add("connect " + s.remoteAddress().getAddress().getHostAddress() + " proxied=" + s.isProxied());
        }

        @Override
        public ProxyInfo onProxy(SmtpSession s, ProxyInfo p) {
            seen.add("proxy " + p.source().getAddress().getHostAddress());
            return p;
        }
    }

    private final Hooks hooks = new Hooks();
    private ServerContext server;

    private TcpChannel connect(Listener listener, String remoteIp, Consumer<SmtpServerConfig.Builder> config) throws Exception {
        SmtpServerConfig.Builder b = SmtpServerConfig.builder().hostname("mx.test")
                .proxyTimeout(Duration.ofSeconds(2)).proxyOptionalWait(Duration.ofMillis(300));
        config.accept(b);
        server = new ServerContext(b.build(), hooks);
        TcpChannel channel = new TcpChannel(remoteIp);
        channel.pipeline().addLast(new Admission(server, listener));
        channel.register();
        return channel;
    }

    private static Listener proxied(ProxyProtocolMode mode) {
        return Listener.of("127.0.0.1", 25).withProxyProtocol(mode, TrustedSources.parse("127.0.0.1/32"));
    }

    @Test
    void aDirectClientGetsOnlyTheSessionAndIsGreetedAtOnce() throws Exception {
        TcpChannel ch = connect(Listener.of("127.0.0.1", 25), "192.0.2.1", c -> { });
        assertThat(ch.pipeline().names()).startsWith(ConnectionPipeline.SESSION).doesNotContain(ProxyGate.NAME, TlsSwitch.NAME);
        assertThat(ch.replies()).startsWith("220 mx.test");
        assertThat(hooks.seen).containsExactly("connect 192.0.2.1 proxied=false");
        assertThat(server.connections.get()).isEqualTo(1);
        ch.writeInbound(Unpooled.copiedBuffer("QUIT\r\n", StandardCharsets.US_ASCII));
        assertThat(ch.replies()).startsWith("221");
        assertThat(ch.isOpen()).isFalse();
        assertThat(server.connections.get()).isZero();
        assertThat(server.sessions.awaitEmpty(0)).isTrue();
    }

    @Test
    void anUntrustedSourceOnAProxyListenerSkipsTheGate() throws Exception {
        TcpChannel ch = connect(proxied(ProxyProtocolMode.REQUIRED), "192.0.2.1", c -> { });
        assertThat(ch.pipeline().get(ProxyGate.NAME)).isNull();
        assertThat(ch.replies()).startsWith("220 mx.test");
    }

    @Test
    void theGateSaysNothingUntilTheHeaderThenLeavesAndPassesOnWhatFollowed() throws Exception {
        TcpChannel ch = connect(proxied(ProxyProtocolMode.REQUIRED), "127.0.0.1", c -> { });
        assertThat(ch.pipeline().names()).startsWith(ProxyGate.NAME, ConnectionPipeline.SESSION);
        assertThat(ch.replies()).isEmpty();
        ch.writeInbound(Unpooled.copiedBuffer("PROXY TCP4 192.0.2.10 198.51.100.1 4000", StandardCharsets.US_ASCII));
        assertThat(ch.replies()).isEmpty();
        ch.writeInbound(Unpooled.copiedBuffer("0 25\r\nNOOP\r\n", StandardCharsets.US_ASCII));
        assertThat(ch.pipeline().get(ProxyGate.NAME)).isNull();
        assertThat(ch.replies()).startsWith("220 mx.test").contains("\r\n250 ");
        assertThat(hooks.seen).containsExactly("proxy 192.0.2.10", "connect 192.0.2.10 proxied=true");
        assertThat(server.metrics.get(Counter.PROXY_HEADERS_ACCEPTED)).isEqualTo(1);
    }

    @Test
    void theGateFiresOneClientIdentifiedEvent() throws Exception {
        TcpChannel ch = connect(proxied(ProxyProtocolMode.REQUIRED), "127.0.0.1", c -> { });
        List<Object> events = new ArrayList<>();
        ch.pipeline().addAfter(ProxyGate.NAME, "spy", new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                events.add(evt);
                ctx.fireUserEventTriggered(evt);
            }
        });
        ch.writeInbound(Unpooled.wrappedBuffer(V2Header.tcp4("192.0.2.7", 1000, "10.0.0.1", 25).bytes()));
        assertThat(events).singleElement().isInstanceOfSatisfying(ClientIdentified.class,
                e -> assertThat(e.proxy().source().getAddress().getHostAddress()).isEqualTo("192.0.2.7"));
    }

    @Test
    void aBrokenV2HeaderIsRefusedAtItsThirteenthByte() throws Exception {
        TcpChannel ch = connect(proxied(ProxyProtocolMode.REQUIRED), "127.0.0.1", c -> { });
        byte[] header = V2Header.tcp4("192.0.2.7", 1000, "10.0.0.1", 25).versionCommand(0x31).bytes();
        ch.writeInbound(Unpooled.wrappedBuffer(header, 0, 13));
        assertThat(ch.isOpen()).isFalse();
        assertThat(ch.replies()).isEmpty();
        assertThat(server.metrics.get(Counter.PROXY_HEADERS_REJECTED)).isEqualTo(1);
        assertThat(hooks.seen).isEmpty();
    }

    @Test
    void requiredHeaderMissingIsRefusedAtTheTimeoutNeverGreeted() throws Exception {
        TcpChannel ch = connect(proxied(ProxyProtocolMode.REQUIRED), "127.0.0.1", c -> { });
        ch.advanceTimeBy(1999, TimeUnit.MILLISECONDS);
        ch.runPendingTasks();
        assertThat(ch.isOpen()).isTrue();
        ch.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        ch.runPendingTasks();
        assertThat(ch.isOpen()).isFalse();
        assertThat(ch.replies()).isEmpty();
    }

    @Test
    void optionalModeTakesSilenceForADirectClient() throws Exception {
        TcpChannel ch = connect(proxied(ProxyProtocolMode.OPTIONAL), "127.0.0.1", c -> { });
        ch.advanceTimeBy(300, TimeUnit.MILLISECONDS);
        ch.runPendingTasks();
        assertThat(ch.pipeline().get(ProxyGate.NAME)).isNull();
        assertThat(ch.replies()).startsWith("220 mx.test");
        assertThat(hooks.seen).containsExactly("connect 127.0.0.1 proxied=false");
    }

    @Test
    void optionalModeWithPartOfAHeaderWaitsForTheTimeout() throws Exception {
        TcpChannel ch = connect(proxied(ProxyProtocolMode.OPTIONAL), "127.0.0.1", c -> { });
        ch.writeInbound(Unpooled.copiedBuffer("PROXY TCP4 ", StandardCharsets.US_ASCII));
        ch.advanceTimeBy(300, TimeUnit.MILLISECONDS);
        ch.runPendingTasks();
        assertThat(ch.isOpen()).isTrue();
        assertThat(ch.replies()).isEmpty();
        ch.advanceTimeBy(1700, TimeUnit.MILLISECONDS);
        ch.runPendingTasks();
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void admissionRefusesOverMaxConnectionsAndStaysAlone() throws Exception {
        TcpChannel first = connect(Listener.of("127.0.0.1", 25), "192.0.2.1", c -> c.maxConnections(1));
        TcpChannel second = new TcpChannel("192.0.2.2");
        second.pipeline().addLast(new Admission(server, Listener.of("127.0.0.1", 25)));
        second.register();
        assertThat(second.replies()).startsWith("421 4.7.0 mx.test");
        assertThat(second.isOpen()).isFalse();
        assertThat(second.pipeline().get(ConnectionPipeline.SESSION)).isNull();
        assertThat(server.metrics.get(Counter.CONNECTIONS_REFUSED)).isEqualTo(1);
        assertThat(server.connections.get()).isEqualTo(1);
        first.close();
        assertThat(server.connections.get()).isZero();
    }

    @Test
    void oneTimerCoversTheCommandTimeout() throws Exception {
        TcpChannel ch = connect(Listener.of("127.0.0.1", 25), "192.0.2.1", c -> c.commandTimeout(Duration.ofSeconds(10)));
        ch.replies();
        ch.advanceTimeBy(6, TimeUnit.SECONDS);
        ch.writeInbound(Unpooled.copiedBuffer("NOOP\r\n", StandardCharsets.US_ASCII));
        assertThat(ch.replies()).startsWith("250");
        ch.advanceTimeBy(6, TimeUnit.SECONDS);
        ch.runPendingTasks();
        assertThat(ch.isOpen()).as("idle for 6 s only").isTrue();
        ch.advanceTimeBy(4, TimeUnit.SECONDS);
        ch.runPendingTasks();
        assertThat(ch.replies()).startsWith("421 4.4.2");
        assertThat(ch.isOpen()).isFalse();
        assertThat(server.metrics.get(Counter.TIMEOUTS)).isEqualTo(1);
    }

    @Test
    void theDeadlineEndsABusySession() throws Exception {
        TcpChannel ch = connect(Listener.of("127.0.0.1", 25), "192.0.2.1",
                c -> c.commandTimeout(Duration.ofSeconds(10)).sessionDeadline(Duration.ofSeconds(25)));
        ch.replies();
        for (int i = 0; i < 4; i++) {
            ch.advanceTimeBy(6, TimeUnit.SECONDS);
            ch.writeInbound(Unpooled.copiedBuffer("NOOP\r\n", StandardCharsets.US_ASCII));
            ch.runPendingTasks();
            assertThat(ch.replies()).startsWith("250");
        }
        ch.advanceTimeBy(1, TimeUnit.SECONDS);
        ch.runPendingTasks();
        assertThat(ch.replies()).startsWith("421 4.4.2");
        assertThat(ch.isOpen()).isFalse();
    }
}
