package dev.postern.relay.client;

import io.netty.util.NetUtil;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Where the relay hands mail on: the value of {@code --relay}.
 *
 * <ul>
 *   <li>{@code smtp://host[:port][,host[:port]...]}: smarthosts over SMTP (port 25 by default), tried in order;</li>
 *   <li>{@code lmtp://host[:port]}: one LMTP server (RFC 2033, port 24 by default);</li>
 *   <li>{@code mx}: each recipient domain's MX hosts (RFC 5321 section 5).</li>
 * </ul>
 * A host is a domain name, an IPv4 address, or an IPv6 address in brackets ({@code [::1]:2525}).
 */
public sealed interface RelayTarget {

    /** RFC 5321 4.5.4.1: SMTP's port. */
    int SMTP_PORT = 25;
    /** RFC 2033 5: LMTP must not use port 25; 24 is its assigned port. */
    int LMTP_PORT = 24;

    /**
     * One or more smarthosts, tried in order until one takes the message.
     *
     * @param hosts at least one
     */
    record Smarthosts(List<HostAndPort> hosts) implements RelayTarget {
        /** Validates and copies. */
        public Smarthosts {
            hosts = List.copyOf(hosts);
            if (hosts.isEmpty()) {
                throw new IllegalArgumentException("at least one smarthost is required");
            }
        }

        @Override
        public String toString() {
            return "smtp://" + String.join(",", hosts.stream().map(HostAndPort::toString).toList());
        }
    }

    /**
     * An LMTP server (RFC 2033): one reply per recipient after the message.
     *
     * @param host the server
     */
    record Lmtp(HostAndPort host) implements RelayTarget {
        /** Validates. */
        public Lmtp {
            Objects.requireNonNull(host, "host");
        }

        @Override
        public String toString() {
            return "lmtp://" + host;
        }
    }

    /** Delivery to each recipient domain's MX hosts, or its address when it has no MX (RFC 5321 5.1). */
    record Mx() implements RelayTarget {
        @Override
        public String toString() {
            return "mx";
        }
    }

    /**
     * A host name or address literal and a port.
     *
     * @param host a domain name or an IP address (IPv6 without brackets)
     * @param port 1 to 65535
     */
    record HostAndPort(String host, int port) {
        /** Validates. */
        public HostAndPort {
            Objects.requireNonNull(host, "host");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be 1 to 65535: " + port);
            }
        }

        /** @return {@code host:port}, with an IPv6 address in brackets */
        @Override
        public String toString() {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /**
     * Parses a {@code --relay} value.
     *
     * @param value {@code smtp://...}, {@code lmtp://...} or {@code mx}
     * @return the target
     * @throws IllegalArgumentException with the accepted forms, when the value is none of them
     */
    static RelayTarget parse(String value) {
        Objects.requireNonNull(value, "value");
        String v = value.strip();
        String lower = v.toLowerCase(Locale.ROOT);
        if (lower.equals("mx")) {
            return new Mx();
        }
        if (lower.startsWith("smtp://")) {
            List<HostAndPort> hosts = new ArrayList<>();
            for (String part : v.substring(7).split(",", -1)) {
                hosts.add(hostAndPort(part.strip(), SMTP_PORT, value));
            }
            return new Smarthosts(hosts);
        }
        if (lower.startsWith("lmtp://")) {
            String rest = v.substring(7);
            if (rest.contains(",")) {
                throw new IllegalArgumentException("lmtp:// takes one host: " + value);
            }
            return new Lmtp(hostAndPort(rest.strip(), LMTP_PORT, value));
        }
        throw new IllegalArgumentException("relay target must be smtp://host[:port][,host[:port]...], "
                + "lmtp://host[:port] or mx, not: '" + value + "'");
    }

    private static HostAndPort hostAndPort(String text, int defaultPort, String whole) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("empty host in relay target: '" + whole + "'");
        }
        String host;
        String port = null;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("missing ']' in relay host '" + text + "'");
            }
            host = text.substring(1, close);
            String after = text.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw new IllegalArgumentException("expected ':port' after ']' in relay host '" + text + "'");
                }
                port = after.substring(1);
            }
            if (!NetUtil.isValidIpV6Address(host) && !NetUtil.isValidIpV4Address(host)) {
                throw new IllegalArgumentException("not an IP address in brackets: '" + text + "'");
            }
        } else {
            int colon = text.indexOf(':');
            if (colon >= 0 && text.indexOf(':', colon + 1) >= 0) {
                throw new IllegalArgumentException("an IPv6 address goes in brackets, as in [::1]:25: '" + text + "'");
            }
            host = colon < 0 ? text : text.substring(0, colon);
            port = colon < 0 ? null : text.substring(colon + 1);
            if (!NetUtil.isValidIpV4Address(host) && !isDomainName(host)) {
                throw new IllegalArgumentException("not a host name or IPv4 address: '" + host + "'");
            }
        }
        return new HostAndPort(host, port == null ? defaultPort : port(port, text));
    }

    private static int port(String text, String host) {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("port must be a number from 1 to 65535 in '" + host + "'");
        }
        int port = Integer.parseInt(text);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be a number from 1 to 65535 in '" + host + "'");
        }
        return port;
    }

    /**
     * RFC 1123 2.1 host names: letters, digits and hyphens in dot-separated labels of 1 to 63 octets
     * (underscores tolerated, as resolvers tolerate them).
     */
    private static boolean isDomainName(String name) {
        String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        if (n.isEmpty() || n.length() > 253) {
            return false;
        }
        for (String label : n.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
                return false;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
                if (!ok) {
                    return false;
                }
            }
        }
        return true;
    }
}
