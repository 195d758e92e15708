package dev.postern.server;

import dev.postern.Envelope;
import dev.postern.SmtpSession;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;

/**
 * The value of the Received trace field this server adds to each message (RFC 5321 4.4):
 * <pre>from HELO (RDNS-or-unknown [IP]) by HOSTNAME (Postern) with PROTOCOL id ID [for &lt;RCPT&gt;] [tls CIPHER-SUITE]; DATE</pre>
 * The client is the real one (after PROXY or XCLIENT), or the up-stream one an XFORWARD named.
 */
final class ReceivedField {

    static final String NAME = "Received";

    // RFC 5322 3.3 date-time with a numeric zone (never the obsolete "GMT").
    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT);

    private ReceivedField() {
    }

    /**
     * @param id an identifier to find the message in the logs: the session id, since the message id
     *           is not yet known when the field is added at the start of DATA
     */
    static String value(SmtpSession session, String hostname, String id, ZonedDateTime now) {
        return value(session, hostname, id, now, false);
    }

    /**
     * @param id               as above
     * @param nameAuthUser     whether to name the authenticated user, as Postfix's
     *                         {@code smtpd_sasl_authenticated_header}: {@code (Authenticated sender: USER)}, a
     *                         comment before BY (RFC 5321 4.4 allows CFWS there). Off by default: it tells every
     *                         recipient the sender's login name.
     */
    static String value(SmtpSession session, String hostname, String id, ZonedDateTime now, boolean nameAuthUser) {
        // Postfix XFORWARD_README: a content filter's XFORWARD names the up-stream client, which is who
        // the message came from; an attribute sent as [UNAVAILABLE] is empty here, so "unknown".
        Map<String, String> forwarded = session.xforward();
        String helo = forwarded.containsKey("HELO") ? forwarded.get("HELO") : session.heloName();
        String name = forwarded.containsKey("NAME") ? forwarded.get("NAME") : session.remoteHostName().orElse(null);
        String address = forwarded.containsKey("ADDR") ? forwardedAddressLiteral(forwarded.get("ADDR"))
                : addressLiteral(session.remoteAddress());
        StringBuilder sb = new StringBuilder(160)
                .append("from ").append(helo == null || helo.isEmpty() ? "unknown" : helo)
                .append(" (").append(name == null || name.isEmpty() ? "unknown" : name)
                .append(' ').append(address).append(')');
        if (nameAuthUser) {
            session.authenticatedUser().ifPresent(user -> sb.append(" (Authenticated sender: ").append(commentText(user)).append(')'));
        }
        sb.append(" by ").append(hostname).append(" (Postern)")
                .append(" with ").append(protocol(session)).append(" id ").append(id);
        Envelope envelope = session.envelope();
        // RFC 5321 4.4: name the recipient only when there is exactly one, not to disclose Bcc lists.
        if (envelope != null && envelope.recipients().size() == 1) {
            sb.append(" for ").append(envelope.forwardPaths().get(0));
        }
        // RFC 8314 4.3: the "tls" clause names the cipher suite. It is one of RFC 5321's
        // Additional-Registered-Clauses, which come after FOR.
        session.tls().ifPresent(tls -> sb.append(" tls ").append(tls.cipherSuite()));
        return sb.append("; ").append(DATE.format(now)).toString();
    }

    /**
     * The WITH protocol name: RFC 3848 (ESMTPS, ESMTPA, ESMTPSA; LMTP, LMTPS, LMTPA, LMTPSA on an LMTP listener)
     * and RFC 6531 3.7.3 (UTF8SMTP..., UTF8LMTP...).
     */
    static String protocol(SmtpSession session) {
        boolean lmtp = session.listener() != null && session.listener().lmtp();
        if (!session.isEsmtp() && !lmtp) {
            return "SMTP";
        }
        Envelope envelope = session.envelope();
        boolean utf8 = envelope != null && envelope.smtpUtf8();
        String base = lmtp ? (utf8 ? "UTF8LMTP" : "LMTP") : utf8 ? "UTF8SMTP" : "ESMTP";
        return base + (session.isSecure() ? "S" : "") + (session.authenticatedUser().isPresent() ? "A" : "");
    }

    /**
     * A user name as the text of a comment (RFC 5322 3.2.2): parentheses and backslashes as quoted pairs;
     * a name with characters outside printable ASCII as one RFC 2047 encoded-word (allowed in comments,
     * RFC 2047 5(2)), since the field must stay ASCII for a message without SMTPUTF8 and a control character
     * would break the header.
     */
    static String commentText(String user) {
        if (user.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            return user.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)");
        }
        // An encoded-word is at most 75 characters (RFC 2047 2): 45 octets of UTF-8 make 60 of base64, and
        // each word holds whole characters (RFC 2047 5(3)).
        StringBuilder words = new StringBuilder();
        int start = 0;
        while (start < user.length()) {
            int end = start;
            int octets = 0;
            while (end < user.length()) {
                int c = user.codePointAt(end);
                int size = new String(Character.toChars(c)).getBytes(StandardCharsets.UTF_8).length;
                if (octets + size > 45) {
                    break;
                }
                octets += size;
                end += Character.charCount(c);
            }
            words.append(words.isEmpty() ? "" : " ").append("=?UTF-8?B?")
                    .append(Base64.getEncoder().encodeToString(user.substring(start, end).getBytes(StandardCharsets.UTF_8)))
                    .append("?=");
            start = end;
        }
        return words.toString();
    }

    /** An XFORWARD ADDR (IP text without the "IPv6:" prefix, printable ASCII) as an address literal. */
    private static String forwardedAddressLiteral(String addr) {
        if (addr.isEmpty()) {
            return "[unknown]";
        }
        return addr.indexOf(':') >= 0 ? "[IPv6:" + addr + "]" : "[" + addr + "]";
    }

    /** RFC 5321 4.1.3 address literal: {@code [192.0.2.1]} or {@code [IPv6:2001:db8::1]}. */
    static String addressLiteral(InetSocketAddress address) {
        if (address == null) {
            return "[unknown]";
        }
        InetAddress ip = address.getAddress();
        if (ip == null) {
            return "[" + address.getHostString() + "]";
        }
        return ip instanceof Inet6Address ? "[IPv6:" + ip.getHostAddress() + "]" : "[" + ip.getHostAddress() + "]";
    }
}
