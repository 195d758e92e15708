package dev.postern.proxy.internal;

import java.net.InetAddress;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The arguments of an XFORWARD command (Postfix XFORWARD_README): a trusted content filter forwards the
 * up-stream client's details, for logging the next mail transaction.
 *
 * <p>As with {@link XclientCommand}, an attribute is either not named (keep the current value), named
 * with {@code [UNAVAILABLE]} (erase it: in {@link #attributes()}, empty value), or named with a value.
 * The README's server rules (start from all-unavailable, reset after the transaction, an ADDR of
 * [UNAVAILABLE] meaning a local submission) are the session's to apply.
 *
 * @param attributes the attributes the command named
 * @param name       NAME: the up-stream host name, possibly not a DNS name
 * @param addr       ADDR: the up-stream address, as sent, without an "IPV6:" prefix; possibly not an IP
 *                   address (see {@link #inetAddress()})
 * @param port       PORT: the up-stream client TCP port
 * @param proto      PROTO: the protocol the mail arrived by up-stream, SMTP or not (up to 64 characters)
 * @param helo       HELO: the name the up-stream host announced itself with
 * @param ident      IDENT: the up-stream host's identifier of the message (e.g. its queue id)
 * @param source     SOURCE: whether the mail originated locally on the up-stream host
 */
public record XforwardCommand(Set<Attribute> attributes,
                              Optional<String> name, Optional<String> addr, OptionalInt port,
                              Optional<String> proto, Optional<String> helo, Optional<String> ident,
                              Optional<Source> source) {

    /** The attribute names XFORWARD defines, which the EHLO keyword lists. */
    public enum Attribute { NAME, ADDR, PORT, PROTO, HELO, IDENT, SOURCE }

    /** Values of SOURCE. */
    public enum Source { LOCAL, REMOTE }

    // XFORWARD_README: "an SMTP or non-SMTP protocol name of up to 64 characters".
    private static final int MAX_PROTO_LENGTH = 64;

    public XforwardCommand {
        attributes = Set.copyOf(attributes);
    }

    /**
     * Parses the text after "XFORWARD ", e.g. {@code NAME=spike.porcupine.org ADDR=168.100.189.2 PROTO=ESMTP}.
     * Names are case-insensitive; values are xtext (RFC 3461 section 4).
     *
     * @throws IllegalArgumentException with a message for a 501 reply
     */
    public static XforwardCommand parse(String arguments) {
        Map<Attribute, String> v = AttributeList.parse("XFORWARD", arguments, Attribute.class);
        Optional<String> proto = text(v, Attribute.PROTO);
        if (proto.isPresent() && proto.get().length() > MAX_PROTO_LENGTH) {
            throw AttributeList.bad(Attribute.PROTO, proto.get());
        }
        Optional<String> addr = text(v, Attribute.ADDR).map(XforwardCommand::withoutIpv6Prefix);
        if (addr.isPresent() && addr.get().isEmpty()) {
            // "IPV6:" and nothing after it (found by ProxyAttributesFuzzTest)
            throw AttributeList.bad(Attribute.ADDR, v.get(Attribute.ADDR));
        }
        return new XforwardCommand(
                v.keySet(),
                text(v, Attribute.NAME),
                addr,
                v.containsKey(Attribute.PORT) ? AttributeList.port(Attribute.PORT, v.get(Attribute.PORT)) : OptionalInt.empty(),
                proto,
                text(v, Attribute.HELO),
                text(v, Attribute.IDENT),
                text(v, Attribute.SOURCE).map(XforwardCommand::source));
    }

    /** ADDR as an IP address, when it is one. Nothing is looked up. */
    public Optional<InetAddress> inetAddress() {
        return addr.flatMap(a -> {
            byte[] bytes = IpLiterals.ipv4(a);
            if (bytes == null) {
                bytes = IpLiterals.ipv6(a);
            }
            return Optional.ofNullable(bytes).map(b -> IpLiterals.fromBytes(IpLiterals.unmapIpv4(b)));
        });
    }

    private static Optional<String> text(Map<Attribute, String> v, Attribute a) {
        return v.containsKey(a) ? AttributeList.known(v.get(a)) : Optional.empty();
    }

    private static String withoutIpv6Prefix(String addr) {
        return addr.regionMatches(true, 0, "IPV6:", 0, 5) ? addr.substring(5) : addr;
    }

    private static Source source(String value) {
        return switch (value.toUpperCase(Locale.ROOT)) {
            case "LOCAL" -> Source.LOCAL;
            case "REMOTE" -> Source.REMOTE;
            default -> throw AttributeList.bad(Attribute.SOURCE, value);
        };
    }
}
