package dev.postern.netty;

import dev.postern.Listener;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;

/** A host name in a listener binds every address it resolves to, as MidiSmtpServer does. */
class ListenerResolveTest {

    @Test
    void aNameWithSeveralAddressesGivesEachOnce() throws Exception {
        InetAddress v4 = InetAddress.getByName("127.0.0.1");
        InetAddress v6 = InetAddress.getByName("::1");
        var addresses = NettyTransport.resolve(Listener.of("mail.test", 2525), host -> {
            assertThat(host).isEqualTo("mail.test");
            return new InetAddress[] {v4, v6, v4};
        });
        assertThat(addresses).containsExactly(new InetSocketAddress(v4, 2525), new InetSocketAddress(v6, 2525));
    }

    @Test
    void literalsAndTheSpecialNames() throws Exception {
        assertThat(NettyTransport.resolve(Listener.of("127.0.0.5", 25))).containsExactly(new InetSocketAddress("127.0.0.5", 25));
        assertThat(NettyTransport.resolve(Listener.of("localhost", 25))).hasSize(2);
        assertThat(NettyTransport.resolve(Listener.of("*", 25))).hasSize(1);
    }
}
