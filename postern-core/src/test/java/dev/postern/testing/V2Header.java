package dev.postern.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/** Builds PROXY v2 headers byte by byte, including malformed ones, for tests. */
public final class V2Header {

    public static final byte[] SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    private byte[] signature = SIGNATURE;
    private int versionCommand;
    private int family;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private int crcOffsetInBody = -1;
    private boolean corruptCrc;
    private Integer declaredLength;

    private V2Header(int versionCommand, int family) {
        this.versionCommand = versionCommand;
        this.family = family;
    }

    public static V2Header proxy(int family) {
        return new V2Header(0x21, family);
    }

    public static V2Header tcp4(String src, int srcPort, String dst, int dstPort) {
        return proxy(0x11).address(src).address(dst).port(srcPort).port(dstPort);
    }

    public static V2Header tcp6(String src, int srcPort, String dst, int dstPort) {
        return proxy(0x21).address(src).address(dst).port(srcPort).port(dstPort);
    }

    /** A LOCAL header as HAProxy sends for health checks: UNSPEC family, no address block. */
    public static V2Header local() {
        return new V2Header(0x20, 0x00);
    }

    public V2Header signature(byte[] sig) {
        this.signature = sig;
        return this;
    }

    public V2Header versionCommand(int b) {
        this.versionCommand = b;
        return this;
    }

    public V2Header family(int b) {
        this.family = b;
        return this;
    }

    public V2Header declaredLength(int length) {
        this.declaredLength = length;
        return this;
    }

    public V2Header address(String literal) {
        try {
            return raw(InetAddress.getByName(literal).getAddress());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    public V2Header port(int port) {
        return raw((byte) (port >> 8), (byte) port);
    }

    public V2Header raw(byte... bytes) {
        body.writeBytes(bytes);
        return this;
    }

    public V2Header tlv(int type, byte[] value) {
        raw((byte) type, (byte) (value.length >> 8), (byte) value.length);
        return raw(value);
    }

    public V2Header tlv(int type, String value) {
        return tlv(type, value.getBytes(StandardCharsets.UTF_8));
    }

    /** Adds a PP2_TYPE_CRC32C entry, filled in with the right checksum by {@link #bytes()}. */
    public V2Header crc32c() {
        raw((byte) 0x03, (byte) 0, (byte) 4);
        crcOffsetInBody = body.size();
        return raw(new byte[4]);
    }

    /** Like {@link #crc32c()}, but the checksum written is off by one. */
    public V2Header wrongCrc32c() {
        corruptCrc = true;
        return crc32c();
    }

    public static byte[] sslValue(int client, int verify, byte[]... subTlvs) {
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        v.write(client);
        v.writeBytes(new byte[] {(byte) (verify >> 24), (byte) (verify >> 16), (byte) (verify >> 8), (byte) verify});
        for (byte[] sub : subTlvs) {
            v.writeBytes(sub);
        }
        return v.toByteArray();
    }

    public static byte[] subTlv(int type, String value) {
        byte[] b = value.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[3 + b.length];
        out[0] = (byte) type;
        out[1] = (byte) (b.length >> 8);
        out[2] = (byte) b.length;
        System.arraycopy(b, 0, out, 3, b.length);
        return out;
    }

    public byte[] bytes() {
        byte[] b = body.toByteArray();
        int length = declaredLength != null ? declaredLength : b.length;
        byte[] out = new byte[16 + b.length];
        System.arraycopy(signature, 0, out, 0, 12);
        out[12] = (byte) versionCommand;
        out[13] = (byte) family;
        out[14] = (byte) (length >> 8);
        out[15] = (byte) length;
        System.arraycopy(b, 0, out, 16, b.length);
        if (crcOffsetInBody >= 0) {
            CRC32C crc = new CRC32C();
            crc.update(out);
            int value = (int) crc.getValue() + (corruptCrc ? 1 : 0);
            int at = 16 + crcOffsetInBody;
            out[at] = (byte) (value >> 24);
            out[at + 1] = (byte) (value >> 16);
            out[at + 2] = (byte) (value >> 8);
            out[at + 3] = (byte) value;
        }
        return out;
    }

    public ByteBuf buf() {
        return Unpooled.wrappedBuffer(bytes());
    }
}
