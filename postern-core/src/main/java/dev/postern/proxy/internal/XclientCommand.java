package dev.postern.proxy.internal;

import java.net.InetAddress;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The arguments of an XCLIENT command (Postfix XCLIENT_README): a trusted proxy or filter tells the
 * server who the real client is, for the rest of the session.
 *
 * <p>Each attribute is in one of three states. Not named in the command: the server keeps what it
 * knew (absent from {@link #attributes()}). Named with {@code [UNAVAILABLE]} or {@code [TEMPUNAVAIL]}:
 * the server now knows nothing (in {@link #attributes()}, empty value). Named with a value: present.
 *
 * @param attributes                 the attributes the command named
 * @param name                       NAME: the client's host name (not an address)
 * @param nameTemporarilyUnavailable whether NAME was {@code [TEMPUNAVAIL]}: the host name lookup failed
 *                                   transiently, so a rule that needs the name should answer 4xx, not 5xx
 * @param addr                       ADDR: the client's IP address
 * @param port                       PORT: the client's TCP port
 * @param proto                      PROTO: whether the client said HELO (SMTP) or EHLO (ESMTP)
 * @param helo                       HELO: the client's HELO / EHLO argument
 * @param login                      LOGIN: the client's SASL login name
 * @param destAddr                   DESTADDR: the server address the client connected to
 * @param destPort                   DESTPORT: the server port the client connected to
 */
public record XclientCommand(Set<Attribute> attributes,
                             Optional<String> name, boolean nameTemporarilyUnavailable,
                             Optional<InetAddress> addr, OptionalInt port, Optional<Protocol> proto,
                             Optional<String> helo, Optional<String> login,
                             Optional<InetAddress> destAddr, OptionalInt destPort) {

    /** The attribute names XCLIENT defines, which the EHLO keyword lists. */
    public enum Attribute { NAME, ADDR, PORT, PROTO, HELO, LOGIN, DESTADDR, DESTPORT }

    /** Values of PROTO. */
    public enum Protocol { SMTP, ESMTP }

    public XclientCommand {
        attributes = Set.copyOf(attributes);
    }

    /**
     * Parses the text after "XCLIENT ", e.g. {@code NAME=spike.porcupine.org ADDR=168.100.189.2}.
     * Names are case-insensitive; values are xtext (RFC 3461 section 4); ADDR and DESTADDR take an IPv4
     * address or "IPV6:" and an IPv6 address.
     *
     * @throws IllegalArgumentException with a message for a 501 reply: no attributes, an unknown or
     *                                  repeated attribute, bad xtext, or a value of the wrong form
     */
    public static XclientCommand parse(String arguments) {
        Map<Attribute, String> v = AttributeList.parse("XCLIENT", arguments, Attribute.class);
        return new XclientCommand(
                v.keySet(),
                text(v, Attribute.NAME),
                AttributeList.TEMPUNAVAIL.equals(v.get(Attribute.NAME)),
                address(v, Attribute.ADDR),
                port(v, Attribute.PORT),
                protocol(v.get(Attribute.PROTO)),
                text(v, Attribute.HELO),
                text(v, Attribute.LOGIN),
                address(v, Attribute.DESTADDR),
                port(v, Attribute.DESTPORT));
    }

    private static Optional<String> text(Map<Attribute, String> v, Attribute a) {
        return v.containsKey(a) ? AttributeList.known(v.get(a)) : Optional.empty();
    }

    private static Optional<InetAddress> address(Map<Attribute, String> v, Attribute a) {
        return v.containsKey(a) ? AttributeList.address(a, v.get(a)) : Optional.empty();
    }

    private static OptionalInt port(Map<Attribute, String> v, Attribute a) {
        return v.containsKey(a) ? AttributeList.port(a, v.get(a)) : OptionalInt.empty();
    }

    private static Optional<Protocol> protocol(String value) {
        if (value == null) {
            return Optional.empty();
        }
        return AttributeList.known(value).map(p -> switch (p.toUpperCase(Locale.ROOT)) {
            case "SMTP" -> Protocol.SMTP;
            case "ESMTP" -> Protocol.ESMTP;
            default -> throw AttributeList.bad(Attribute.PROTO, p);
        });
    }
}
