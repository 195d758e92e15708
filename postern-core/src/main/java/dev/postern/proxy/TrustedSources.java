package dev.postern.proxy;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The peers allowed to speak for someone else: to send a PROXY header, or XCLIENT / XFORWARD.
 *
 * <p>The HAProxy spec (section 5) warns that accepting the header from anyone lets any client spoof its
 * address, so nothing is trusted by default ({@link #NONE}), and trusting everyone takes an explicit
 * {@code *}. A server should warn at start-up when {@link #isWildcard()} is true.
 */
public final class TrustedSources {

    /** Trusts no peer. */
    public static final TrustedSources NONE = new TrustedSources(List.of(), false);

    private final List<CidrRange> ranges;
    private final boolean wildcard;

    private TrustedSources(List<CidrRange> ranges, boolean wildcard) {
        this.ranges = List.copyOf(ranges);
        this.wildcard = wildcard;
    }

    /**
     * Trusts the peers in any of {@code ranges}.
     *
     * @param ranges the trusted ranges; empty for {@link #NONE}
     * @return the trusted sources
     */
    public static TrustedSources of(List<CidrRange> ranges) {
        return ranges.isEmpty() ? NONE : new TrustedSources(ranges, false);
    }

    /**
     * Parses a comma-separated list of addresses and CIDR ranges, e.g. {@code "127.0.0.1/32, ::1"}.
     * A blank string trusts no one; {@code "*"}, alone, trusts every peer.
     *
     * @param text the list, as in a configuration file
     * @return the trusted sources
     * @throws IllegalArgumentException for an empty element, a {@code *} mixed with ranges, or a bad range
     * @throws NullPointerException     if {@code text} is null
     */
    public static TrustedSources parse(String text) {
        Objects.requireNonNull(text, "text");
        if (text.isBlank()) {
            return NONE;
        }
        if (text.strip().equals("*")) {
            return new TrustedSources(List.of(), true);
        }
        List<CidrRange> ranges = new ArrayList<>();
        for (String element : text.split(",", -1)) {
            String e = element.strip();
            if (e.isEmpty()) {
                throw new IllegalArgumentException("empty element in trusted sources: '" + text + "'");
            }
            if (e.equals("*")) {
                throw new IllegalArgumentException("'*' must stand alone in trusted sources: '" + text + "'");
            }
            ranges.add(CidrRange.parse(e));
        }
        return of(ranges);
    }

    /**
     * Whether every peer is trusted (the list was {@code *}).
     *
     * @return true for the wildcard
     */
    public boolean isWildcard() {
        return wildcard;
    }

    /**
     * Whether {@code peer} is trusted.
     *
     * @param peer the address to test; an IPv4-mapped IPv6 address is tested as its IPv4 address
     * @return true for the wildcard, or if a range contains {@code peer}
     */
    public boolean matches(InetAddress peer) {
        if (wildcard) {
            return true;
        }
        for (CidrRange range : ranges) {
            if (range.contains(peer)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The trusted ranges; empty for {@link #NONE} and for the wildcard.
     *
     * @return an unmodifiable list, in the order given
     */
    public List<CidrRange> ranges() {
        return ranges;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrustedSources other && wildcard == other.wildcard && ranges.equals(other.ranges);
    }

    @Override
    public int hashCode() {
        return Objects.hash(ranges, wildcard);
    }

    @Override
    public String toString() {
        if (wildcard) {
            return "*";
        }
        return String.join(",", ranges.stream().map(CidrRange::toString).toList());
    }
}
