package dev.postern.proxy;


import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

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
        /** An unknown or unspecified family (v1 {@code UNKNOWN}, v2 {@code AF_UNSPEC}); no addresses. */
        UNKNOWN,
        /** TCP over IPv4. */
        TCP4,
        /** TCP over IPv6. */
        TCP6,
        /** UDP over IPv4 (v2 only). */
        UDP4,
        /** UDP over IPv6 (v2 only). */
        UDP6,
        /** A UNIX stream socket (v2 only); its paths are not kept. */
        UNIX_STREAM,
        /** A UNIX datagram socket (v2 only); its paths are not kept. */
        UNIX_DGRAM;

        /**
         * Whether the header carries IP addresses and ports for this transport.
         *
         * @return true for the TCP and UDP families
         */
        public boolean hasInetAddresses() {
            return this != UNKNOWN && this != UNIX_STREAM && this != UNIX_DGRAM;
        }
    }

    /**
     * Validates the header and copies the TLV list.
     *
     * @throws IllegalArgumentException if {@code version} is not 1 or 2, or only one of {@code source}
     *                                  and {@code destination} is null
     * @throws NullPointerException     if {@code command}, {@code transport} or {@code tlvs} is null
     */
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
     * Whether the header named the real client, so that {@link #source()} should replace the peer address.
     *
     * @return true if {@code source} is not null
     */
    public boolean hasClientAddress() {
        return source != null;
    }

    /**
     * Every top-level TLV of the given type (any type 0..255, including the custom 0xE0..0xEF).
     *
     * @param type the type byte, e.g. {@link Tlv#AUTHORITY}
     * @return the entries of that type in wire order; empty when there is none
     */
    public List<Tlv> tlv(int type) {
        return tlvs.stream().filter(t -> t.type() == type).toList();
    }

    /**
     * PP2_TYPE_ALPN: the application protocol negotiated with the client, e.g. {@code smtp}, as US-ASCII.
     *
     * @return the first ALPN entry's value, or empty
     */
    public Optional<String> alpn() {
        return first(Tlv.ALPN).map(v -> new String(v, StandardCharsets.US_ASCII));
    }

    /**
     * PP2_TYPE_AUTHORITY: the host name the client asked for, usually its TLS SNI (UTF-8).
     *
     * @return the first AUTHORITY entry's value, or empty
     */
    public Optional<String> authority() {
        return first(Tlv.AUTHORITY).map(v -> new String(v, StandardCharsets.UTF_8));
    }

    /**
     * PP2_TYPE_UNIQUE_ID: the proxy's opaque id for this connection, for correlating logs.
     *
     * @return a copy of the first UNIQUE_ID entry's bytes, or empty
     */
    public Optional<byte[]> uniqueId() {
        return first(Tlv.UNIQUE_ID);
    }

    /**
     * PP2_TYPE_NETNS: the network namespace the proxy accepted the connection in (US-ASCII).
     *
     * @return the first NETNS entry's value, or empty
     */
    public Optional<String> netns() {
        return first(Tlv.NETNS).map(v -> new String(v, StandardCharsets.US_ASCII));
    }

    /**
     * PP2_TYPE_SSL: how the client reached the proxy over TLS.
     *
     * @return the first SSL entry, parsed, or empty when the header has none
     * @throws IllegalArgumentException when the entry is malformed (Netty's decoder and
     *                                  Postern's header validator both refuse such headers)
     */
    public Optional<SslTlv> ssl() {
        return first(Tlv.SSL).map(SslTlv::parse);
    }

    private Optional<byte[]> first(int type) {
        return tlvs.stream().filter(t -> t.type() == type).findFirst().map(Tlv::value);
    }
}
