package dev.postern.proxy;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One type-length-value entry of a PROXY v2 header (HAProxy spec section 2.2), with its raw type byte,
 * so application-specific types (0xE0..0xEF, section 2.2.8) keep their identity.
 *
 * @param type  the type byte, 0..255
 * @param value the value bytes (copied in and out; the record is immutable)
 */
public record Tlv(int type, byte[] value) {

    /** PP2_TYPE_ALPN: the negotiated application protocol. */
    public static final int ALPN = 0x01;
    /** PP2_TYPE_AUTHORITY: the host name the client asked for (TLS SNI), UTF-8. */
    public static final int AUTHORITY = 0x02;
    /** PP2_TYPE_CRC32C: checksum of the whole header. */
    public static final int CRC32C = 0x03;
    /** PP2_TYPE_NOOP: padding, to be ignored. */
    public static final int NOOP = 0x04;
    /** PP2_TYPE_UNIQUE_ID: an opaque connection id of up to 128 bytes. */
    public static final int UNIQUE_ID = 0x05;
    /** PP2_TYPE_SSL: TLS details of the client connection, see {@link SslTlv}. */
    public static final int SSL = 0x20;
    /** PP2_TYPE_NETNS: the network namespace name, US-ASCII. */
    public static final int NETNS = 0x30;
    /** First of the types reserved for applications (section 2.2.8). */
    public static final int MIN_CUSTOM = 0xE0;
    /** Last of the types reserved for applications (section 2.2.8). */
    public static final int MAX_CUSTOM = 0xEF;

    /**
     * Validates the type and copies the value.
     *
     * @throws IllegalArgumentException if {@code type} is outside 0..255
     * @throws NullPointerException     if {@code value} is null
     */
    public Tlv {
        if (type < 0 || type > 0xff) {
            throw new IllegalArgumentException("TLV type must be 0..255: " + type);
        }
        value = value.clone();
    }

    /**
     * The value bytes.
     *
     * @return a copy, so the record stays immutable
     */
    @Override
    public byte[] value() {
        return value.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tlv other && type == other.type && Arrays.equals(value, other.value);
    }

    @Override
    public int hashCode() {
        return 31 * type + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return String.format("Tlv[0x%02X, %s]", type, HexFormat.of().formatHex(value));
    }
}
