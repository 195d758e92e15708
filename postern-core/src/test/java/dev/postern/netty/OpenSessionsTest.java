package dev.postern.netty;

import dev.postern.SmtpHandler;
import dev.postern.SmtpServerConfig;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class OpenSessionsTest {

    private static SessionBridge session() {
        ServerContext server = new ServerContext(SmtpServerConfig.builder().build(), new NonBlocking());
        EmbeddedChannel channel = new EmbeddedChannel() {
            @Override
            protected SocketAddress localAddress0() {
                return new InetSocketAddress("127.0.0.1", 25);
            }

            @Override
            protected SocketAddress remoteAddress0() {
                return new InetSocketAddress("127.0.0.1", 40000);
            }
        };
        return new SessionBridge(server, channel, dev.postern.Listener.of("127.0.0.1", 2525));
    }

    /** Non-blocking, so the sessions run inline. */
    static final class NonBlocking implements SmtpHandler {
        @Override
        public boolean isNonBlocking() {
            return true;
        }
    }

    @Test
    void awaitReturnsWhenTheLastSessionEndsNotAtTheTimeout() throws Exception {
        OpenSessions open = new OpenSessions();
        SessionBridge a = session();
        SessionBridge b = session();
        open.add(a);
        open.add(b);
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(50);
                open.remove(a);
                Thread.sleep(50);
                open.remove(b);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        long t0 = System.nanoTime();
        assertThat(open.awaitEmpty(TimeUnit.SECONDS.toNanos(10))).isTrue();
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(5));
    }

    @Test
    void awaitGivesUpAfterItsTime() {
        OpenSessions open = new OpenSessions();
        SessionBridge a = session();
        open.add(a);
        long t0 = System.nanoTime();
        assertThat(open.awaitEmpty(TimeUnit.MILLISECONDS.toNanos(100))).isFalse();
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(open.snapshot()).containsExactly(a);
        assertThat(new OpenSessions().awaitEmpty(0)).isTrue();
    }
}
