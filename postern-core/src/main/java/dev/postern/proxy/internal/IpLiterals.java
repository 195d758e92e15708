package dev.postern.proxy.internal;

import io.netty.util.NetUtil;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Strict parsing of textual IP addresses, never touching DNS ({@link InetAddress#getByName} would look
 * up anything that is not a literal).
 */
public final class IpLiterals {

    private IpLiterals() {
    }

    /**
     * The 4 bytes of a dotted-quad IPv4 address, or null. Leading zeros are refused: the PROXY spec
     * (section 2.1) forbids them "to avoid any possible confusion with octal numbers".
     */
    public static byte[] ipv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            int value = decimal(parts[i], 255);
            if (value < 0) {
                return null;
            }
            out[i] = (byte) value;
        }
        return out;
    }

    /**
     * The 16 bytes of an IPv6 address in colon notation (an embedded dotted IPv4 tail allowed), or null.
     * Brackets and zone ids ({@code %eth0}) are refused: neither belongs on the wire.
     */
    public static byte[] ipv6(String s) {
        if (s.isEmpty() || s.indexOf(':') < 0) {
            return null;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
            if (!ok) {
                return null;
            }
        }
        if (!NetUtil.isValidIpV6Address(s)) {
            return null;
        }
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(s);
        return bytes != null && bytes.length == 16 ? bytes : null;
    }

    /**
     * A decimal number without sign or leading zeros, at most {@code max}; -1 when it is not one.
     * ("0" itself is fine.)
     */
    public static int decimal(String s, int max) {
        if (s.isEmpty() || s.length() > 5 || (s.length() > 1 && s.charAt(0) == '0')) {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value <= max ? value : -1;
    }

    /** An address from 4 or 16 raw bytes; IPv6 bytes stay IPv6 even in the IPv4-mapped range. */
    public static InetAddress fromBytes(byte[] bytes) {
        try {
            return bytes.length == 16 ? Inet6Address.getByAddress(null, bytes, -1) : InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bad address length " + bytes.length, e);
        }
    }

    /** The 4 IPv4 bytes when {@code bytes} is an IPv4-mapped IPv6 address (::ffff:a.b.c.d, RFC 4291 2.5.5.2), else {@code bytes}. */
    public static byte[] unmapIpv4(byte[] bytes) {
        if (bytes.length != 16) {
            return bytes;
        }
        for (int i = 0; i < 10; i++) {
            if (bytes[i] != 0) {
                return bytes;
            }
        }
        if (bytes[10] != (byte) 0xff || bytes[11] != (byte) 0xff) {
            return bytes;
        }
        return new byte[] {bytes[12], bytes[13], bytes[14], bytes[15]};
    }
}
