package dev.postern.netty;

import dev.postern.SmtpHandler;
import dev.postern.SmtpServerConfig;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/** The Netty transport (work in progress). */
public final class NettyTransport {
    public NettyTransport(SmtpServerConfig config, SmtpHandler handler) {
    }

    public void start() throws IOException {
        throw new UnsupportedOperationException("not yet");
    }

    public List<InetSocketAddress> boundAddresses() {
        return List.of();
    }

    public void stop(Duration grace) {
    }

    public int activeConnections() {
        return 0;
    }
}
