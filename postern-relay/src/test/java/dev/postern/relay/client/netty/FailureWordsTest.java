package dev.postern.relay.client.netty;

import io.netty.channel.ChannelException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The words a delivery's history keeps for a connection that failed under a write. A write on a channel
 * that closed under it (a SOCKS5 proxy killed in the middle of DATA, SocksProxyOutageTest) fails with
 * Netty's message-less StacklessClosedChannelException, whose class name the history used to show.
 */
class FailureWordsTest {

    @Test
    void aChannelClosedUnderAWriteIsSaidInWords() {
        assertThat(ReplyHandler.describe(new ClosedChannelException())).isEqualTo("connection closed");
        assertThat(ReplyHandler.describe(new ChannelException("write failed", new ClosedChannelException())))
                .isEqualTo("connection closed");
    }

    @Test
    void otherFailuresKeepTheirOwnMessage() {
        assertThat(ReplyHandler.describe(new IOException("Connection reset by peer")))
                .isEqualTo("connection failure: Connection reset by peer");
        assertThat(ReplyHandler.describe(new IllegalStateException()))
                .isEqualTo("connection failure: IllegalStateException");
    }
}
