package dev.postern.proxy.internal;

import dev.postern.proxy.ProxyInfo;
import io.netty.buffer.ByteBuf;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A v1 line with a port of 0, which section 2.1 allows ("a port number between 0 and 65535") and
 * Netty's {@code HAProxyMessageDecoder} refuses (its v1 port check starts at 1). Such a line is read
 * here instead, once {@link ProxyHeaderValidator#checkV1} has found it well formed; every other header
 * still goes to Netty's decoder.
 */
public final class V1PortZero {

    private V1PortZero() {
    }

    /** Whether {@code line}, a v1 line that passed {@link ProxyHeaderValidator#checkV1}, has a port of 0. */
    public static boolean applies(ByteBuf line) {
        String[] f = fields(line);
        // UNKNOWN may be followed by anything (2.1), even fields that look like ports: Netty reads those
        return f.length == 6 && (f[1].equals("TCP4") || f[1].equals("TCP6")) && (f[4].equals("0") || f[5].equals("0"));
    }

    /** The header of a well-formed TCP4 / TCP6 line (see {@link #applies}). */
    public static ProxyInfo read(ByteBuf line) {
        String[] f = fields(line);
        boolean v4 = f[1].equals("TCP4");
        return new ProxyInfo(1, ProxyInfo.Command.PROXY, v4 ? ProxyInfo.Transport.TCP4 : ProxyInfo.Transport.TCP6,
                address(f[2], f[4], v4), address(f[3], f[5], v4), List.of());
    }

    private static InetSocketAddress address(String ip, String port, boolean v4) {
        byte[] bytes = v4 ? IpLiterals.ipv4(ip) : IpLiterals.ipv6(ip);
        if (bytes == null) {
            throw new IllegalArgumentException("not an IP address: " + ip); // checkV1 refused it already
        }
        return new InetSocketAddress(IpLiterals.fromBytes(IpLiterals.unmapIpv4(bytes)), IpLiterals.decimal(port, 65535));
    }

    private static String[] fields(ByteBuf line) {
        int length = line.readableBytes();
        if (length < 2 || line.getByte(line.readerIndex()) != 'P') {
            return new String[0];
        }
        return line.toString(line.readerIndex(), length - 2, StandardCharsets.ISO_8859_1).split(" ", -1);
    }
}
