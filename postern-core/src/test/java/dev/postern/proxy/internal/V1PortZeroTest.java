package dev.postern.proxy.internal;

import dev.postern.proxy.ProxyInfo;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The v1 lines read without Netty: exactly those with a port of 0. */
class V1PortZeroTest {

    private static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    @Test
    void onlyLinesWithAZeroPort() {
        assertThat(V1PortZero.applies(ascii("PROXY TCP4 192.0.2.1 192.0.2.2 0 25\r\n"))).isTrue();
        assertThat(V1PortZero.applies(ascii("PROXY TCP4 192.0.2.1 192.0.2.2 4000 0\r\n"))).isTrue();
        assertThat(V1PortZero.applies(ascii("PROXY TCP4 192.0.2.1 192.0.2.2 4000 25\r\n"))).isFalse();
        assertThat(V1PortZero.applies(ascii("PROXY TCP4 192.0.2.1 192.0.2.2 10 20\r\n"))).isFalse();
        assertThat(V1PortZero.applies(ascii("PROXY UNKNOWN\r\n"))).isFalse();
        assertThat(V1PortZero.applies(ascii("PROXY UNKNOWN 1 2 3 0\r\n"))).isFalse();
        assertThat(V1PortZero.applies(ascii("\r\n"))).isFalse();
        assertThat(V1PortZero.applies(Unpooled.wrappedBuffer(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0, 0x0D}))).isFalse();
    }

    @Test
    void readsBothFamilies() {
        ProxyInfo v4 = V1PortZero.read(ascii("PROXY TCP4 192.0.2.1 192.0.2.2 4000 0\r\n"));
        assertThat(v4.transport()).isEqualTo(ProxyInfo.Transport.TCP4);
        assertThat(v4.source()).isEqualTo(new InetSocketAddress("192.0.2.1", 4000));
        assertThat(v4.destination()).isEqualTo(new InetSocketAddress("192.0.2.2", 0));
        assertThat(v4.version()).isEqualTo(1);
        ProxyInfo v6 = V1PortZero.read(ascii("PROXY TCP6 2001:db8::1 ::ffff:192.0.2.2 0 25\r\n"));
        assertThat(v6.transport()).isEqualTo(ProxyInfo.Transport.TCP6);
        assertThat(v6.source()).isEqualTo(new InetSocketAddress("2001:db8::1", 0));
        assertThat(v6.destination().getAddress().getHostAddress()).isEqualTo("192.0.2.2"); // mapped, as Netty's path gives
    }
}
