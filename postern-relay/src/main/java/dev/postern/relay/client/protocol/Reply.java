package dev.postern.relay.client.protocol;

import dev.postern.relay.RemoteReply;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One SMTP reply (RFC 5321 4.2): a code and one or more lines of text.
 *
 * @param code           the three-digit code
 * @param enhancedStatus the RFC 3463 code that starts the first line (RFC 2034), or null
 * @param lines          each line's text after the code and its separator, without the enhanced code
 */
public record Reply(int code, String enhancedStatus, List<String> lines) {

    // RFC 3463 2: class.subject.detail, subject and detail of 1 to 3 digits.
    private static final Pattern ENHANCED = Pattern.compile("([245])\\.(\\d{1,3})\\.(\\d{1,3})(?: |$)");

    /** Copies. */
    public Reply {
        lines = List.copyOf(lines);
    }

    /**
     * A reply from its code and raw line texts, taking the enhanced status code out of each line. RFC 2034 4:
     * the enhanced code's class matches the reply's class; a line that does not start with one keeps its text.
     *
     * @param code  the reply code
     * @param texts the text of each line
     * @return the reply
     */
    static Reply of(int code, List<String> texts) {
        String enhanced = null;
        List<String> stripped = new ArrayList<>(texts.size());
        for (String text : texts) {
            var m = ENHANCED.matcher(text);
            if (m.lookingAt() && m.group(1).charAt(0) - '0' == code / 100) {
                String status = m.group(1) + "." + Integer.parseInt(m.group(2)) + "." + Integer.parseInt(m.group(3));
                if (enhanced == null) {
                    enhanced = status;
                }
                stripped.add(text.substring(m.end()));
            } else {
                stripped.add(text);
            }
        }
        return new Reply(code, enhanced, stripped);
    }

    /** @return whether the code is 2yz */
    public boolean positive() {
        return code / 100 == 2;
    }

    /** @return whether the code is 5yz */
    public boolean permanentFailure() {
        return code / 100 == 5;
    }

    /** @return the reply as the delivery report carries it, lines joined with a space */
    public RemoteReply toRemote() {
        return new RemoteReply(code, enhancedStatus, String.join(" ", lines.stream().map(String::strip)
                .filter(s -> !s.isEmpty()).toList()));
    }

    @Override
    public String toString() {
        return toRemote().toString();
    }
}
