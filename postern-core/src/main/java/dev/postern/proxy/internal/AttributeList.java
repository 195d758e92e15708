package dev.postern.proxy.internal;

import java.net.InetAddress;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The argument syntax XCLIENT and XFORWARD share (Postfix XCLIENT_README, XFORWARD_README):
 * {@code 1*( SP attribute-name "=" attribute-value )}, names case-insensitive, values xtext.
 * Errors are {@link IllegalArgumentException}s whose message fits a 501 reply.
 */
final class AttributeList {

    /** The value meaning "unknown" (any case). */
    static final String UNAVAILABLE = "[UNAVAILABLE]";
    /** The value meaning "unknown for now": a transient lookup failure (any case). */
    static final String TEMPUNAVAIL = "[TEMPUNAVAIL]";

    // XCLIENT_README note 1 and XFORWARD_README note 1: values are at most 255 characters.
    private static final int MAX_VALUE_LENGTH = 255;

    private AttributeList() {
    }

    /**
     * Splits and decodes the arguments of {@code command}. Values equal to {@link #UNAVAILABLE} or
     * {@link #TEMPUNAVAIL} are returned in upper case; other values are returned decoded.
     */
    static <A extends Enum<A>> Map<A, String> parse(String command, String arguments, Class<A> names) {
        String args = arguments == null ? "" : arguments.strip();
        if (args.isEmpty()) {
            throw new IllegalArgumentException(command + " needs at least one attribute=value");
        }
        Map<A, String> values = new EnumMap<>(names);
        for (String token : args.split("[ \t]+")) {
            int eq = token.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("Bad " + command + " syntax, expected attribute=value: " + shown(token));
            }
            A name = nameOf(command, token.substring(0, eq), names);
            if (values.containsKey(name)) {
                throw new IllegalArgumentException("Duplicate " + command + " attribute: " + name);
            }
            values.put(name, value(name, token.substring(eq + 1)));
        }
        return values;
    }

    /** The value when it is known, empty for [UNAVAILABLE] and [TEMPUNAVAIL]. */
    static Optional<String> known(String value) {
        return value.equals(UNAVAILABLE) || value.equals(TEMPUNAVAIL) ? Optional.empty() : Optional.of(value);
    }

    /** A TCP port 0..65535 in decimal, or empty when unknown. */
    static OptionalInt port(Enum<?> name, String value) {
        Optional<String> v = known(value);
        if (v.isEmpty()) {
            return OptionalInt.empty();
        }
        String digits = v.get();
        if (!digits.matches("[0-9]{1,5}") || Integer.parseInt(digits) > 65535) {
            throw bad(name, digits);
        }
        return OptionalInt.of(Integer.parseInt(digits));
    }

    /**
     * A numeric IPv4 address, or an IPv6 address after an "IPV6:" prefix (any case), or empty when
     * unknown. Never a host name: nothing is looked up. An IPv4-mapped IPv6 address is returned as IPv4.
     */
    static Optional<InetAddress> address(Enum<?> name, String value) {
        Optional<String> v = known(value);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        String text = v.get();
        byte[] bytes = text.regionMatches(true, 0, "IPV6:", 0, 5) ? IpLiterals.ipv6(text.substring(5)) : IpLiterals.ipv4(text);
        if (bytes == null) {
            throw bad(name, text);
        }
        return Optional.of(IpLiterals.fromBytes(IpLiterals.unmapIpv4(bytes)));
    }

    static IllegalArgumentException bad(Enum<?> name, String value) {
        return new IllegalArgumentException("Bad " + name + " syntax: " + shown(value));
    }

    private static <A extends Enum<A>> A nameOf(String command, String text, Class<A> names) {
        for (A a : names.getEnumConstants()) {
            if (a.name().equalsIgnoreCase(text)) {
                return a;
            }
        }
        throw new IllegalArgumentException("Unknown " + command + " attribute: " + shown(text));
    }

    private static String value(Enum<?> name, String xtext) {
        String decoded;
        try {
            decoded = dev.postern.Xtext.decode(xtext); // the DSN parameters' xtext too (RFC 3461 section 4)
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Bad " + name + " syntax: " + e.getMessage(), e);
        }
        if (decoded.isEmpty() || decoded.length() > MAX_VALUE_LENGTH) {
            throw new IllegalArgumentException("Bad " + name + " syntax: value must be 1.." + MAX_VALUE_LENGTH + " characters");
        }
        // XFORWARD_README note 1: no control, non-ASCII or whitespace characters; the values end up in
        // Received: headers and log lines, so XCLIENT values get the same rule.
        for (int i = 0; i < decoded.length(); i++) {
            char c = decoded.charAt(i);
            if (c <= ' ' || c > '~') {
                throw new IllegalArgumentException("Bad " + name + " syntax: control, space or non-ASCII character");
            }
        }
        String upper = decoded.toUpperCase(Locale.ROOT);
        return upper.equals(UNAVAILABLE) || upper.equals(TEMPUNAVAIL) ? upper : decoded;
    }

    // Echoes client text into a reply only when it is short, printable ASCII.
    private static String shown(String text) {
        boolean printable = text.chars().allMatch(c -> c > ' ' && c <= '~');
        if (!printable) {
            return "(unprintable)";
        }
        return text.length() > 64 ? text.substring(0, 64) + "..." : text;
    }
}
