package dev.postern;

import java.util.List;
import java.util.Objects;

/**
 * An SMTP reply: a three-digit code, an optional RFC 3463 enhanced status, one or more text lines,
 * and whether the server closes the connection after sending it.
 *
 * <p>Text lines must not contain CR or LF; the constructor rejects them so that a hook can never
 * inject a second reply. A 421 reply always closes the connection (RFC 5321 3.8).
 */
public record SmtpReply(int code, EnhancedStatus status, List<String> lines, boolean close) {

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

    public static SmtpReply of(int code, String enhancedStatus, String text) {
        return new SmtpReply(code, enhancedStatus == null ? null : EnhancedStatus.parse(enhancedStatus),
                List.of(Objects.requireNonNull(text, "text")), false);
    }

    public static SmtpReply of(int code, String text) {
        return new SmtpReply(code, null, List.of(text), false);
    }

    /** The same reply, but the connection is closed after it is sent. */
    public SmtpReply andClose() {
        return close ? this : new SmtpReply(code, status, lines, true);
    }

    public boolean isPositive() {
        return code < 400;
    }

    public boolean isTransientFailure() {
        return code >= 400 && code < 500;
    }

    public boolean isPermanentFailure() {
        return code >= 500;
    }

    /** The first text line, for logs. */
    public String text() {
        return lines.get(0);
    }

    /**
     * The reply as it goes on the wire (RFC 5321 4.2.1), each line ending in CRLF.
     *
     * @param withEnhancedStatus whether ENHANCEDSTATUSCODES is in effect for this session
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
