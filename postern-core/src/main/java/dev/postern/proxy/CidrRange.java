package dev.postern.proxy;

import dev.postern.proxy.internal.IpLiterals;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.Objects;

/**
 * A block of IP addresses in CIDR notation (RFC 4632 3.1), such as {@code 10.0.0.0/8} or {@code ::1/128}.
 *
 * <p>The network address is kept with its host bits cleared, so {@code 10.1.2.3/8} is the same range as
 * {@code 10.0.0.0/8}. An IPv4-mapped IPv6 address (::ffff:a.b.c.d), as a dual-stack socket reports IPv4
 * peers, is matched as the IPv4 address it carries; likewise a range written in the mapped form with a
 * prefix of 96 or more is kept as the IPv4 range it denotes.
 *
 * @param network      the first address of the range (host bits zero)
 * @param prefixLength the number of leading bits that must match: 0..32 for IPv4, 0..128 for IPv6
 */
public record CidrRange(InetAddress network, int prefixLength) {

    /**
     * Validates the prefix length and clears the host bits of {@code network}.
     *
     * @throws IllegalArgumentException if {@code prefixLength} is outside 0..32 (IPv4) or 0..128 (IPv6)
     * @throws NullPointerException     if {@code network} is null
     */
    public CidrRange {
        Objects.requireNonNull(network, "network");
        int bits = network.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefix length must be 0.." + bits + " for "
                    + network.getHostAddress() + ": " + prefixLength);
        }
        network = IpLiterals.fromBytes(mask(network.getAddress(), prefixLength));
    }

    /**
     * Parses {@code address/prefix} or a bare address, which is a single host ({@code /32} or {@code /128}).
     * Only literal addresses are accepted: a host name is refused, never looked up.
     *
     * @param text the range, e.g. {@code 10.0.0.0/8}, {@code 2001:db8::/32} or {@code 192.0.2.7};
     *             surrounding blanks are ignored
     * @return the range
     * @throws IllegalArgumentException when the text is not a valid range
     * @throws NullPointerException     if {@code text} is null
     */
    public static CidrRange parse(String text) {
        Objects.requireNonNull(text, "text");
        String t = text.strip();
        int slash = t.indexOf('/');
        String addressText = slash < 0 ? t : t.substring(0, slash);
        byte[] bytes = IpLiterals.ipv4(addressText);
        if (bytes == null) {
            bytes = IpLiterals.ipv6(addressText);
        }
        if (bytes == null) {
            throw new IllegalArgumentException("not an IP address or CIDR range: '" + text + "'");
        }
        int bits = bytes.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            prefix = IpLiterals.decimal(t.substring(slash + 1), Integer.MAX_VALUE);
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("prefix length must be 0.." + bits + " in '" + text + "'");
            }
        }
        byte[] unmapped = IpLiterals.unmapIpv4(bytes);
        if (unmapped != bytes && prefix >= 96) {
            return new CidrRange(IpLiterals.fromBytes(unmapped), prefix - 96);
        }
        return new CidrRange(IpLiterals.fromBytes(bytes), prefix);
    }

    /**
     * Whether {@code address} lies in this range. An IPv4 address never matches an IPv6 range, nor the reverse.
     *
     * @param address the address to test; an IPv4-mapped IPv6 address is tested as its IPv4 address
     * @return true if its first {@code prefixLength} bits equal the network's
     */
    public boolean contains(InetAddress address) {
        byte[] candidate = IpLiterals.unmapIpv4(address.getAddress());
        byte[] net = network.getAddress();
        return candidate.length == net.length && Arrays.equals(mask(candidate, prefixLength), net);
    }

    /**
     * Whether this is an IPv4 range.
     *
     * @return true for an IPv4 range, false for IPv6
     */
    public boolean isIpv4() {
        return network instanceof Inet4Address;
    }

    @Override
    public String toString() {
        return network.getHostAddress() + "/" + prefixLength;
    }

    private static byte[] mask(byte[] address, int prefixLength) {
        byte[] out = address.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.clamp(prefixLength - i * 8L, 0, 8);
            out[i] &= (byte) (0xff00 >> keep);
        }
        return out;
    }
}
