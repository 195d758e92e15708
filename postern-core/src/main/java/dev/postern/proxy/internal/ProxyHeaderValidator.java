package dev.postern.proxy.internal;

import dev.postern.proxy.Tlv;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * Frames a PROXY protocol header from the first bytes of a connection, and checks what Netty's
 * {@code HAProxyMessageDecoder} lets through. The transport calls, in order:
 * {@link #headerLength} until the header is complete, {@link #check} on exactly those bytes, then Netty's
 * decoder on the same bytes, which parses them (and does its own checks). None of these methods moves
 * the buffer's reader index.
 *
 * <p>Which checks are whose (all section numbers are the HAProxy proxy-protocol.txt spec's):
 * <table>
 * <caption>Malformed headers and who refuses them</caption>
 * <tr><th>Problem</th><th>Netty 4.2 decoder</th><th>Here</th></tr>
 * <tr><td>v1 line over 107 bytes (2.1)</td><td>allows up to 108</td><td>{@link #headerLength}, {@link #checkV1}</td></tr>
 * <tr><td>v1 line ending in a bare LF, or a CR not followed by LF (2.1)</td><td>waits for more bytes, then fails on the mangled line</td><td>{@link #headerLength} fails at once</td></tr>
 * <tr><td>v1 IPv4 octet with leading zeros (2.1: "to avoid confusion with octal")</td><td>accepts</td><td>{@link #checkV1}</td></tr>
 * <tr><td>v1 port with leading zeros or a sign ({@code 0443}, {@code +25})</td><td>accepts</td><td>{@link #checkV1}</td></tr>
 * <tr><td>v1 trailing or doubled space (2.1: "exactly one space")</td><td>accepts a trailing one</td><td>{@link #checkV1}</td></tr>
 * <tr><td>v1 IPv6 in brackets or with a zone id</td><td>accepts</td><td>{@link #checkV1}</td></tr>
 * <tr><td>v1 family / address mismatch, port over 65535, missing or extra fields</td><td>refuses</td><td>{@link #checkV1} too: its one-pass grammar
 *     check covers them anyway, with a clearer reason</td></tr>
 * <tr><td>v2 bad version, command, family or transport (2.2)</td><td>refuses</td><td>not repeated: the TLV walk is skipped</td></tr>
 * <tr><td>v2 bad version or command in a header not complete yet</td><td>waits for the whole header (or the timeout)</td><td>{@link #headerLength}
 *     fails as soon as the 13th byte is in</td></tr>
 * <tr><td>v2 address block too short for the family (2.2)</td><td>refuses</td><td>{@link #checkV2} too: the TLV walk needs it</td></tr>
 * <tr><td>v2 TLV or SSL sub-TLV overrunning its container (2.2)</td><td>refuses, with an IndexOutOfBoundsException</td><td>{@link #checkV2} too, with a reason</td></tr>
 * <tr><td>v2 1 or 2 stray bytes after the last TLV, or inside the SSL TLV</td><td>ignores them</td><td>{@link #checkV2}</td></tr>
 * <tr><td>v2 PP2_TYPE_CRC32C mismatch (2.2.3: "MUST treat the TCP connection ... as invalid")</td><td>never checks</td><td>{@link #checkV2}</td></tr>
 * <tr><td>v2 CRC32C value not 4 bytes, or given twice</td><td>never checks</td><td>{@link #checkV2}</td></tr>
 * <tr><td>v2 UNIQUE_ID over 128 bytes (2.2.5)</td><td>accepts</td><td>{@link #checkV2}</td></tr>
 * </table>
 * Netty is stricter than the spec in one place: it refuses port 0 in a v1 line; such a line is read by
 * {@link V1PortZero} instead.
 *
 * <p>The TLVs of a v2 LOCAL header, and of a PROXY header whose family is UNSPEC, are not checked: the
 * spec says to discard that block (2.2), and Netty ignores it.
 */
public final class ProxyHeaderValidator {

    /** Longest v1 line the spec allows, CRLF included (2.1: the "worst case" UNKNOWN line). */
    public static final int MAX_V1_LENGTH = 107;
    /** Signature, version/command, family and length fields of a v2 header (2.2). */
    public static final int V2_FIXED_LENGTH = 16;
    /** {@link #headerLength} result: the header is not complete yet. */
    public static final int NEED_MORE = -1;
    /** {@link #headerLength} result: the first bytes are neither a v1 nor a v2 header. */
    public static final int NOT_PROXY = -2;

    private static final byte[] V1_PREFIX = "PROXY ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] V2_SIGNATURE = ProxyPolicy.V2_SIGNATURE;
    // 2.2.5: "an opaque byte sequence of up to 128 bytes".
    private static final int MAX_UNIQUE_ID = 128;

    private ProxyHeaderValidator() {
    }

    /**
     * How long the header at the start of {@code buf} is, once all of it has arrived: the v1 line up to
     * and including its CRLF, or 16 + the declared length of a v2 header (up to 65551). Bytes after
     * the header are left alone.
     *
     * @return the header length; {@link #NEED_MORE} when the bytes so far are a header's beginning;
     *         {@link #NOT_PROXY} as soon as they cannot be one (in OPTIONAL mode, plain SMTP follows)
     * @throws HAProxyProtocolException when the bytes begin a v1 header whose line cannot end well (no CRLF
     *                                  within 107 bytes, a bare LF, or a CR followed by something else), or
     *                                  an incomplete v2 header with a bad version/command byte
     */
    public static int headerLength(ByteBuf buf) {
        int available = buf.readableBytes();
        if (available == 0) {
            return NEED_MORE;
        }
        byte[] prefix = buf.getByte(buf.readerIndex()) == 'P' ? V1_PREFIX : V2_SIGNATURE;
        int compared = Math.min(available, prefix.length);
        for (int i = 0; i < compared; i++) {
            if (buf.getByte(buf.readerIndex() + i) != prefix[i]) {
                return NOT_PROXY;
            }
        }
        if (available < prefix.length) {
            return NEED_MORE;
        }
        return prefix == V1_PREFIX ? v1Length(buf) : v2Length(buf);
    }

    /**
     * Checks a complete header, v1 or v2 according to its first byte.
     *
     * @param header exactly the header's bytes, as framed by {@link #headerLength}
     * @return why the header must be refused, or empty when this check finds nothing wrong
     */
    public static Optional<String> check(ByteBuf header) {
        return header.isReadable() && header.getByte(header.readerIndex()) == 'P' ? checkV1(header) : checkV2(header);
    }

    /**
     * Checks a v1 line against the grammar of section 2.1: "PROXY", single spaces, TCP4 / TCP6 with
     * canonical addresses of that family and ports 0..65535 without leading zeros, or UNKNOWN followed by
     * anything; CRLF at the end and nowhere else; at most 107 bytes.
     *
     * @param line exactly the line, CRLF included
     * @return why the line must be refused, or empty
     */
    public static Optional<String> checkV1(ByteBuf line) {
        int length = line.readableBytes();
        if (length > MAX_V1_LENGTH) {
            return reason("v1 header longer than " + MAX_V1_LENGTH + " bytes: " + length);
        }
        int end = line.readerIndex() + length;
        if (length < 2 || line.getByte(end - 2) != '\r' || line.getByte(end - 1) != '\n') {
            return reason("v1 header does not end with CRLF");
        }
        String text = line.toString(line.readerIndex(), length - 2, StandardCharsets.ISO_8859_1);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return reason(String.format("v1 header has a control or non-ASCII byte 0x%02X at %d", (int) c, i));
            }
        }
        String[] fields = text.split(" ", -1);
        if (!fields[0].equals("PROXY") || fields.length < 2) {
            return reason("v1 header does not start with 'PROXY '");
        }
        String protocol = fields[1];
        if (protocol.equals("UNKNOWN")) {
            // 2.1: "the receiver must ignore anything presented before the CRLF is found".
            return Optional.empty();
        }
        boolean ipv4 = protocol.equals("TCP4");
        if (!ipv4 && !protocol.equals("TCP6")) {
            return reason("v1 protocol must be TCP4, TCP6 or UNKNOWN: '" + protocol + "'");
        }
        for (String field : fields) {
            if (field.isEmpty()) {
                return reason("v1 fields must be separated by exactly one space");
            }
        }
        if (fields.length != 6) {
            return reason("v1 " + protocol + " header needs 6 fields, has " + fields.length);
        }
        for (int i = 2; i <= 3; i++) {
            Optional<String> bad = ipv4 ? checkIpv4(fields[i]) : checkIpv6(fields[i]);
            if (bad.isPresent()) {
                return bad;
            }
        }
        for (int i = 4; i <= 5; i++) {
            Optional<String> bad = checkPort(fields[i]);
            if (bad.isPresent()) {
                return bad;
            }
        }
        return Optional.empty();
    }

    /**
     * Checks the TLVs of a v2 header (section 2.2) and, when a PP2_TYPE_CRC32C entry is present, the
     * checksum (2.2.3): CRC32c of the whole header with the 4 checksum bytes zeroed.
     *
     * @param header exactly the header's bytes: 16 + the length it declares
     * @return why the header must be refused, or empty
     */
    public static Optional<String> checkV2(ByteBuf header) {
        int start = header.readerIndex();
        int length = header.readableBytes();
        if (length < V2_FIXED_LENGTH) {
            return reason("v2 header shorter than " + V2_FIXED_LENGTH + " bytes: " + length);
        }
        for (int i = 0; i < V2_SIGNATURE.length; i++) {
            if (header.getByte(start + i) != V2_SIGNATURE[i]) {
                return reason("bad v2 signature");
            }
        }
        int declared = V2_FIXED_LENGTH + header.getUnsignedShort(start + 14);
        if (length != declared) {
            return reason("v2 header is " + length + " bytes but declares " + declared);
        }
        boolean proxyCommand = header.getUnsignedByte(start + 12) == 0x21;
        int addressLength = addressLength(header.getUnsignedByte(start + 13));
        if (!proxyCommand || addressLength < 0) {
            // LOCAL, UNSPEC: the block is to be discarded. Anything else: Netty refuses the header.
            return Optional.empty();
        }
        if (declared - V2_FIXED_LENGTH < addressLength) {
            return reason("address block too short for family: " + (declared - V2_FIXED_LENGTH)
                    + " bytes, needs " + addressLength);
        }
        return checkTlvs(header, start + V2_FIXED_LENGTH + addressLength, start + declared);
    }

    private static int v1Length(ByteBuf buf) {
        int start = buf.readerIndex();
        int scan = Math.min(buf.readableBytes(), MAX_V1_LENGTH);
        for (int i = V1_PREFIX.length; i < scan; i++) {
            byte b = buf.getByte(start + i);
            if (b == '\n') {
                // 2.1: "The receiver must not tolerate a single CR or LF character to end the line".
                throw new HAProxyProtocolException("v1 header line ends with a bare LF");
            }
            if (b == '\r') {
                if (i + 1 >= MAX_V1_LENGTH) {
                    throw tooLong();
                }
                if (i + 1 >= buf.readableBytes()) {
                    return NEED_MORE;
                }
                if (buf.getByte(start + i + 1) != '\n') {
                    throw new HAProxyProtocolException("v1 header has a CR not followed by LF");
                }
                return i + 2;
            }
        }
        if (scan == MAX_V1_LENGTH) {
            throw tooLong();
        }
        return NEED_MORE;
    }

    private static HAProxyProtocolException tooLong() {
        return new HAProxyProtocolException("v1 header has no CRLF within " + MAX_V1_LENGTH + " bytes");
    }

    private static int v2Length(ByteBuf buf) {
        if (buf.readableBytes() >= V2_FIXED_LENGTH) {
            int length = V2_FIXED_LENGTH + buf.getUnsignedShort(buf.readerIndex() + 14);
            if (buf.readableBytes() >= length) {
                return length;
            }
        }
        // The version/command byte (the 13th) can be judged before the rest arrives, so a broken header
        // is refused at once rather than at the header timeout. A complete one is left to Netty's decoder.
        if (buf.readableBytes() > V2_SIGNATURE.length) {
            int versionCommand = buf.getUnsignedByte(buf.readerIndex() + V2_SIGNATURE.length);
            if (versionCommand >> 4 != 2 || (versionCommand & 0x0F) > 1) {
                throw new HAProxyProtocolException(String.format("bad v2 version/command byte 0x%02X", versionCommand));
            }
        }
        return NEED_MORE;
    }

    /** The size of the address block for a family/transport byte (2.2), or -1 when it has none or is invalid. */
    private static int addressLength(int familyAndTransport) {
        return switch (familyAndTransport) {
            case 0x11, 0x12 -> 12;
            case 0x21, 0x22 -> 36;
            case 0x31, 0x32 -> 216;
            default -> -1;
        };
    }

    private static Optional<String> checkTlvs(ByteBuf header, int from, int end) {
        int crcAt = -1;
        int at = from;
        while (at < end) {
            if (end - at < 3) {
                return reason("truncated TLV header at byte " + (at - header.readerIndex()));
            }
            int type = header.getUnsignedByte(at);
            int length = header.getUnsignedShort(at + 1);
            int valueAt = at + 3;
            if (valueAt + length > end) {
                return reason(String.format("TLV 0x%02X overruns header", type));
            }
            switch (type) {
                case Tlv.CRC32C -> {
                    if (length != 4) {
                        return reason("CRC32C TLV must be 4 bytes, is " + length);
                    }
                    if (crcAt >= 0) {
                        return reason("more than one CRC32C TLV");
                    }
                    crcAt = valueAt;
                }
                case Tlv.UNIQUE_ID -> {
                    if (length > MAX_UNIQUE_ID) {
                        return reason("UNIQUE_ID TLV longer than " + MAX_UNIQUE_ID + " bytes: " + length);
                    }
                }
                case Tlv.SSL -> {
                    Optional<String> bad = checkSsl(header, valueAt, valueAt + length);
                    if (bad.isPresent()) {
                        return bad;
                    }
                }
                default -> {
                    // Other types, custom ones included, are opaque here (2.2: "may choose to skip").
                }
            }
            at = valueAt + length;
        }
        return crcAt < 0 ? Optional.empty() : checkCrc(header, crcAt);
    }

    // 2.2.6: one client byte, a 4-byte verify field, then sub-TLVs filling the rest exactly.
    private static Optional<String> checkSsl(ByteBuf header, int from, int end) {
        if (end - from < 5) {
            return reason("SSL TLV shorter than 5 bytes: " + (end - from));
        }
        int at = from + 5;
        while (at < end) {
            if (end - at < 3) {
                return reason("truncated SSL sub-TLV header");
            }
            int next = at + 3 + header.getUnsignedShort(at + 1);
            if (next > end) {
                return reason(String.format("SSL sub-TLV 0x%02X overruns the SSL TLV", header.getUnsignedByte(at)));
            }
            at = next;
        }
        return Optional.empty();
    }

    private static Optional<String> checkCrc(ByteBuf header, int crcAt) {
        byte[] bytes = ByteBufUtil.getBytes(header);
        int offset = crcAt - header.readerIndex();
        for (int i = 0; i < 4; i++) {
            bytes[offset + i] = 0;
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        // The checksum travels in network byte order, as HAProxy writes it.
        return (int) crc.getValue() == header.getInt(crcAt) ? Optional.empty() : reason("bad CRC32C");
    }

    private static Optional<String> checkIpv4(String s) {
        if (IpLiterals.ipv4(s) != null) {
            return Optional.empty();
        }
        if (IpLiterals.ipv6(s) != null) {
            return reason("IPv6 address in a TCP4 header: " + s);
        }
        if (s.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}") && s.matches(".*(^|\\.)0[0-9].*")) {
            return reason("leading zero in IPv4 address: " + s);
        }
        return reason("bad IPv4 address: " + s);
    }

    private static Optional<String> checkIpv6(String s) {
        if (IpLiterals.ipv6(s) != null) {
            return Optional.empty();
        }
        if (IpLiterals.ipv4(s) != null) {
            return reason("IPv4 address in a TCP6 header: " + s);
        }
        return reason("bad IPv6 address: " + s);
    }

    private static Optional<String> checkPort(String s) {
        if (IpLiterals.decimal(s, 65535) >= 0) {
            return Optional.empty();
        }
        if (s.matches("0[0-9]+")) {
            return reason("leading zero in port: " + s);
        }
        if (s.matches("[0-9]+")) {
            return reason("port out of range 0..65535: " + s);
        }
        return reason("bad port: " + s);
    }

    private static Optional<String> reason(String text) {
        return Optional.of(text);
    }
}
