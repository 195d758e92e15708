package dev.postern.netty;

import dev.postern.Listener;
import dev.postern.SmtpHandler;
import dev.postern.SmtpServerConfig;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the listener's handler does with what its server channel reads (in place of Netty's ServerBootstrap):
 * an accepted connection gets its option and Admission and is registered; one that cannot be registered
 * is closed; an accept failure pauses accepting for a second.
 */
class AcceptorTest {

    private final ServerContext server = new ServerContext(SmtpServerConfig.builder().hostname("mx.test").build(), new SmtpHandler() { });
    private final EventLoopGroup loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    @AfterEach
    void end() {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private Acceptor acceptor(EventLoopGroup group) {
        return new Acceptor(server, group, new Admission(server, Listener.of("127.0.0.1", 0)));
    }

    @Test
    void anAcceptedConnectionIsHalfClosableHasItsAdmissionAndIsRegistered() {
        EmbeddedChannel listener = new EmbeddedChannel(acceptor(loops));
        NioSocketChannel child = new NioSocketChannel();
        try {
            listener.writeInbound(child);
            assertThat(child.config().getOption(ChannelOption.ALLOW_HALF_CLOSURE)).isTrue();
            assertThat(child.pipeline().get(Admission.class)).isNotNull();
            child.eventLoop(); // registered (or registering) on the loops
            loops.next().submit(() -> { }).syncUninterruptibly();
            assertThat(child.isRegistered()).isTrue();
        } finally {
            child.close().syncUninterruptibly();
        }
    }

    @Test
    void aConnectionTheLoopsRefuseIsClosed() {
        EventLoopGroup ended = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        ended.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
        EmbeddedChannel listener = new EmbeddedChannel(acceptor(ended));
        NioSocketChannel child = new NioSocketChannel();
        assertThat(child.isOpen()).isTrue();
        listener.writeInbound(child);
        assertThat(child.isOpen()).isFalse();
    }

    @Test
    void anAcceptFailurePausesAcceptingForASecond() {
        EmbeddedChannel listener = new EmbeddedChannel(acceptor(loops));
        listener.freezeTime();
        listener.pipeline().fireExceptionCaught(new IOException("Too many open files"));
        assertThat(listener.config().isAutoRead()).isFalse();
        listener.advanceTimeBy(Acceptor.PAUSE_AFTER_FAILURE_MILLIS - 1, TimeUnit.MILLISECONDS);
        listener.runScheduledPendingTasks();
        assertThat(listener.config().isAutoRead()).isFalse();
        listener.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        listener.runScheduledPendingTasks();
        assertThat(listener.config().isAutoRead()).isTrue();
        listener.checkException(); // handled here, not passed on to the pipeline's end
    }
}
