package dev.postern;

import java.util.List;
import java.util.Objects;

/**
 * An SMTP reply: a three-digit code, an optional RFC 3463 enhanced status, one or more text lines,
 * and whether the server closes the connection after sending it.
 *
 * <p>Text lines must not contain CR or LF; the constructor rejects them so that a hook can never
 * inject a second reply. A 421 reply always closes the connection (RFC 5321 3.8).
 *
 * @param code   the three-digit reply code, 200..599 (RFC 5321 4.2)
 * @param status the enhanced status, or null; sent only while the server offers ENHANCEDSTATUSCODES
 *               ({@link SmtpServerConfig.Extensions#enhancedStatusCodes()})
 * @param lines  the text lines, each sent as one line of a multiline reply (RFC 5321 4.2.1); an empty
 *               list becomes one empty line
 * @param close  whether the server closes the connection once the reply is sent; forced true for 421
 */
public record SmtpReply(int code, EnhancedStatus status, List<String> lines, boolean close) {

    /**
     * Validates the reply and copies {@code lines}.
     *
     * @throws IllegalArgumentException if the code is outside 200..599, the status class differs from
     *                                  the code's first digit (allowed for 3xx), or a line holds CR or LF
     * @throws NullPointerException     if {@code lines} is null or holds a null
     */
    public SmtpReply {
        if (code < 200 || code > 599) {
            throw new IllegalArgumentException("reply code must be 200..599: " + code);
        }
        if (status != null && status.statusClass() != code / 100 && code / 100 != 3) {
            throw new IllegalArgumentException("enhanced status " + status + " does not match reply code " + code);
        }
        lines = List.copyOf(lines);
        if (lines.isEmpty()) {
            lines = List.of("");
        }
        for (String line : lines) {
            if (line.indexOf('\r') >= 0 || line.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("reply text must not contain CR or LF");
            }
        }
        close = close || code == 421;
    }

    /**
     * A one-line reply with an enhanced status.
     *
     * @param code           the reply code, 200..599
     * @param enhancedStatus the RFC 3463 status, e.g. {@code "2.0.0"}, matching the code's class; null for none
     * @param text           the reply text, without CR or LF
     * @return a reply that keeps the connection open, unless the code is 421
     * @throws IllegalArgumentException if the code, status or text is invalid (see the constructor)
     * @throws NullPointerException     if {@code text} is null
     */
    public static SmtpReply of(int code, String enhancedStatus, String text) {
        return new SmtpReply(code, enhancedStatus == null ? null : EnhancedStatus.parse(enhancedStatus),
                List.of(Objects.requireNonNull(text, "text")), false);
    }

    /**
     * A one-line reply without an enhanced status.
     *
     * @param code the reply code, 200..599
     * @param text the reply text, without CR or LF
     * @return a reply that keeps the connection open, unless the code is 421
     * @throws IllegalArgumentException if the code is out of range or the text holds CR or LF
     * @throws NullPointerException     if {@code text} is null
     */
    public static SmtpReply of(int code, String text) {
        return new SmtpReply(code, null, List.of(text), false);
    }

    /**
     * The same reply, but the connection is closed after it is sent.
     *
     * @return this reply if it closes already, else a closing copy
     */
    public SmtpReply andClose() {
        return close ? this : new SmtpReply(code, status, lines, true);
    }

    /**
     * Whether the reply is a success (2xx) or an intermediate reply (3xx).
     *
     * @return true if the code is below 400
     */
    public boolean isPositive() {
        return code < 400;
    }

    /**
     * Whether the reply is a transient failure (4xx): the client should try again later.
     *
     * @return true if the code is 400..499
     */
    public boolean isTransientFailure() {
        return code >= 400 && code < 500;
    }

    /**
     * Whether the reply is a permanent failure (5xx): the client should not retry as is.
     *
     * @return true if the code is 500 or more
     */
    public boolean isPermanentFailure() {
        return code >= 500;
    }

    /**
     * The first text line, for logs.
     *
     * @return the first line, without code or status
     */
    public String text() {
        return lines.get(0);
    }

    /**
     * The reply as it goes on the wire (RFC 5321 4.2.1), each line ending in CRLF.
     *
     * @param withEnhancedStatus whether ENHANCEDSTATUSCODES is in effect for this session
     * @return each line as the code, {@code "-"} (a space on the last line), the status when asked for
     *         and present, the text and CRLF
     */
    public String format(boolean withEnhancedStatus) {
        StringBuilder sb = new StringBuilder(32 * lines.size() + 16);
        for (int i = 0; i < lines.size(); i++) {
            sb.append(code).append(i == lines.size() - 1 ? ' ' : '-');
            if (withEnhancedStatus && status != null) {
                sb.append(status).append(' ');
            }
            sb.append(lines.get(i)).append("\r\n");
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return format(true).stripTrailing();
    }
}
