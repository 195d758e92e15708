package dev.postern.proxy;

import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxySSLTLV;
import io.netty.handler.codec.haproxy.HAProxyTLV;
import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a PROXY protocol header said about a connection, for hooks and logs.
 *
 * @param version     1 (text header) or 2 (binary header)
 * @param command     {@link Command#PROXY} for a relayed connection, {@link Command#LOCAL} for the proxy's own
 *                    (a health check); v1 headers are always PROXY
 * @param transport   the address family and transport protocol
 * @param source      the real client; null for LOCAL, {@link Transport#UNKNOWN} and the UNIX families, where
 *                    the spec says to use the connection's own addresses
 * @param destination the address the client connected to on the proxy; null whenever {@code source} is
 * @param tlvs        the top-level TLVs of a v2 header in wire order (an SSL entry's nested entries stay
 *                    inside its value); empty for v1
 */
public record ProxyInfo(int version, Command command, Transport transport,
                        InetSocketAddress source, InetSocketAddress destination, List<Tlv> tlvs) {

    /** The v2 command (HAProxy spec section 2.2, 13th byte). */
    public enum Command {
        /** The connection was relayed on behalf of {@code source}. */
        PROXY,
        /** The proxy opened the connection itself; the header's addresses are to be ignored. */
        LOCAL
    }

    /** Address family and transport protocol: v1 names TCP4, TCP6 and UNKNOWN; v2 adds UDP and UNIX. */
    public enum Transport {
        UNKNOWN, TCP4, TCP6, UDP4, UDP6, UNIX_STREAM, UNIX_DGRAM;

        /** Whether the header carries IP addresses and ports for this transport. */
        public boolean hasInetAddresses() {
            return this != UNKNOWN && this != UNIX_STREAM && this != UNIX_DGRAM;
        }
    }

    public ProxyInfo {
        if (version != 1 && version != 2) {
            throw new IllegalArgumentException("PROXY protocol version must be 1 or 2: " + version);
        }
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(transport, "transport");
        if ((source == null) != (destination == null)) {
            throw new IllegalArgumentException("source and destination must both be present or both be null");
        }
        tlvs = List.copyOf(tlvs);
    }

    /**
     * Converts the message Netty's {@code HAProxyMessageDecoder} produced. Copies everything it keeps, so
     * the caller still owns {@code msg} and must release it.
     *
     * <p>Netty lists an SSL entry's nested entries twice: inside the {@link HAProxySSLTLV} and again,
     * flattened, in {@link HAProxyMessage#tlvs()}. Only the SSL entry is kept here (its value holds the
     * nested entries, see {@link #ssl()}), so each TLV appears once, as on the wire.
     */
    public static ProxyInfo from(HAProxyMessage msg) {
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

    /** Whether the header named the real client, so that {@link #source()} should replace the peer address. */
    public boolean hasClientAddress() {
        return source != null;
    }

    /** Every top-level TLV of the given type (any type 0..255, including the custom 0xE0..0xEF). */
    public List<Tlv> tlv(int type) {
        return tlvs.stream().filter(t -> t.type() == type).toList();
    }

    /** PP2_TYPE_ALPN: the application protocol negotiated with the client, e.g. {@code smtp}, as US-ASCII. */
    public Optional<String> alpn() {
        return first(Tlv.ALPN).map(v -> new String(v, StandardCharsets.US_ASCII));
    }

    /** PP2_TYPE_AUTHORITY: the host name the client asked for, usually its TLS SNI (UTF-8). */
    public Optional<String> authority() {
        return first(Tlv.AUTHORITY).map(v -> new String(v, StandardCharsets.UTF_8));
    }

    /** PP2_TYPE_UNIQUE_ID: the proxy's opaque id for this connection, for correlating logs. */
    public Optional<byte[]> uniqueId() {
        return first(Tlv.UNIQUE_ID);
    }

    /** PP2_TYPE_NETNS: the network namespace the proxy accepted the connection in (US-ASCII). */
    public Optional<String> netns() {
        return first(Tlv.NETNS).map(v -> new String(v, StandardCharsets.US_ASCII));
    }

    /**
     * PP2_TYPE_SSL: how the client reached the proxy over TLS.
     *
     * @throws IllegalArgumentException when the entry is malformed (Netty's decoder and
     *                                  {@link ProxyHeaderValidator#checkV2} both refuse such headers)
     */
    public Optional<SslTlv> ssl() {
        return first(Tlv.SSL).map(SslTlv::parse);
    }

    private Optional<byte[]> first(int type) {
        return tlvs.stream().filter(t -> t.type() == type).findFirst().map(Tlv::value);
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
