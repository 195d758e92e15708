package dev.postern.relay.client.protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * Assembles replies from lines (RFC 5321 4.2: {@code code-text} continuation lines, then {@code code text}
 * or a bare {@code code}), within bounds: a remote that sends garbage or an endless reply gets a
 * {@link MalformedReplyException}, never unbounded memory. Line length is bounded by the framer before a
 * line gets here ({@link #MAX_LINE_LENGTH}).
 */
public final class ReplyParser {

    /**
     * The longest reply line accepted, CRLF excluded. RFC 5321 4.5.3.1.5 sets 512 octets with CRLF, but
     * long EHLO and rejection texts exist in the wild; four times that is still small.
     */
    public static final int MAX_LINE_LENGTH = 2048;
    /** The most lines in one reply (EHLO replies have a few dozen at most). */
    public static final int MAX_LINES = 128;

    private int code = -1;
    private final List<String> texts = new ArrayList<>();

    /**
     * Takes the next line.
     *
     * @param line a reply line without its CRLF
     * @return the reply this line completes, or null when more lines follow
     * @throws MalformedReplyException when the line is not a reply line, changes the code mid-reply, is too
     *                                 long, or the reply has too many lines
     */
    public Reply accept(String line) throws MalformedReplyException {
        if (line.length() > MAX_LINE_LENGTH) {
            throw new MalformedReplyException("reply line longer than " + MAX_LINE_LENGTH + " characters");
        }
        if (line.length() < 3 || !isCode(line) || (line.length() > 3 && line.charAt(3) != ' ' && line.charAt(3) != '-')) {
            throw new MalformedReplyException("not an SMTP reply line: '" + quote(line) + "'");
        }
        int lineCode = Integer.parseInt(line.substring(0, 3));
        if (code >= 0 && lineCode != code) {
            throw new MalformedReplyException("reply code changed from " + code + " to " + lineCode + " within one reply");
        }
        if (texts.size() >= MAX_LINES) {
            throw new MalformedReplyException("reply longer than " + MAX_LINES + " lines");
        }
        code = lineCode;
        texts.add(line.length() > 4 ? clean(line.substring(4)) : "");
        if (line.length() > 3 && line.charAt(3) == '-') {
            return null;
        }
        Reply reply = Reply.of(code, texts);
        code = -1;
        texts.clear();
        return reply;
    }

    /** @return whether part of a multi-line reply has been read */
    public boolean inProgress() {
        return code >= 0;
    }

    // RFC 5321 4.2: the first digit is 2 to 5 (1yz is unused in SMTP), the second 0 to 5.
    private static boolean isCode(String line) {
        char a = line.charAt(0);
        char b = line.charAt(1);
        char c = line.charAt(2);
        return a >= '2' && a <= '5' && b >= '0' && b <= '5' && c >= '0' && c <= '9';
    }

    /** Reply text goes into log lines and bounces: control characters become '?'. */
    private static String clean(String text) {
        StringBuilder b = null;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if ((ch < ' ' && ch != '\t') || ch == 0x7f) {
                if (b == null) {
                    b = new StringBuilder(text);
                }
                b.setCharAt(i, '?');
            }
        }
        return b == null ? text : b.toString();
    }

    private static String quote(String line) {
        String shown = line.length() > 60 ? line.substring(0, 60) + "..." : line;
        return clean(shown);
    }
}
