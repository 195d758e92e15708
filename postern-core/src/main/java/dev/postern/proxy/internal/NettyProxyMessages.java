package dev.postern.proxy.internal;

import dev.postern.proxy.ProxyInfo;
import dev.postern.proxy.ProxyInfo.Command;
import dev.postern.proxy.ProxyInfo.Transport;
import dev.postern.proxy.Tlv;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxySSLTLV;
import io.netty.handler.codec.haproxy.HAProxyTLV;
import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Turns what Netty's {@code HAProxyMessageDecoder} produced into a {@link ProxyInfo}, so that no Netty
 * type reaches the public API.
 */
public final class NettyProxyMessages {

    private NettyProxyMessages() {
    }

    /**
     * Converts {@code msg}, copying everything kept, so the caller still owns {@code msg} and must
     * release it.
     *
     * <p>Netty lists an SSL entry's nested entries twice: inside the {@link HAProxySSLTLV} and again,
     * flattened, in {@link HAProxyMessage#tlvs()}. Only the SSL entry is kept (its value holds the nested
     * entries, see {@link ProxyInfo#ssl()}), so each TLV appears once, as on the wire.
     */
    public static ProxyInfo toProxyInfo(HAProxyMessage msg) {
        int version = msg.protocolVersion() == HAProxyProtocolVersion.V1 ? 1 : 2;
        Command command = msg.command() == HAProxyCommand.LOCAL ? Command.LOCAL : Command.PROXY;
        Transport transport = Transport.valueOf(msg.proxiedProtocol().name());
        InetSocketAddress source = null;
        InetSocketAddress destination = null;
        if (command == Command.PROXY && transport.hasInetAddresses()) {
            source = socketAddress(msg.sourceAddress(), msg.sourcePort());
            destination = socketAddress(msg.destinationAddress(), msg.destinationPort());
        }
        return new ProxyInfo(version, command, transport, source, destination, topLevelTlvs(msg.tlvs()));
    }

    private static InetSocketAddress socketAddress(String literal, int port) {
        // Netty validated the literal; creating it from bytes guarantees no DNS lookup.
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(literal);
        if (bytes == null) {
            throw new IllegalArgumentException("not an IP address: " + literal);
        }
        InetAddress address = IpLiterals.fromBytes(IpLiterals.unmapIpv4(bytes));
        return new InetSocketAddress(address, port);
    }

    private static List<Tlv> topLevelTlvs(List<HAProxyTLV> nettyTlvs) {
        Set<HAProxyTLV> nested = Collections.newSetFromMap(new IdentityHashMap<>());
        for (HAProxyTLV t : nettyTlvs) {
            if (t instanceof HAProxySSLTLV ssl) {
                nested.addAll(ssl.encapsulatedTLVs());
            }
        }
        List<Tlv> out = new ArrayList<>();
        for (HAProxyTLV t : nettyTlvs) {
            if (!nested.contains(t)) {
                byte[] value = new byte[t.content().readableBytes()];
                t.content().getBytes(t.content().readerIndex(), value);
                out.add(new Tlv(t.typeByteValue() & 0xff, value));
            }
        }
        return out;
    }
}
