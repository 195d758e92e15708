package dev.postern.relay.client.protocol;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.charset.StandardCharsets;

/**
 * Fuzzes the relay client's reply parser ({@link ReplyParser}) with what a remote server might send: lines
 * (one per LF, a CR before it dropped as the framer does), any bytes.
 *
 * <p>Invariants: each line gives a reply, "more to come" or a {@link MalformedReplyException}, nothing else;
 * a reply's code is 2yz..5yz with the second digit 0..5, its lines are at most {@link ReplyParser#MAX_LINES},
 * none longer than {@link ReplyParser#MAX_LINE_LENGTH}, none with a control character other than TAB (they
 * go into log lines and bounces), its enhanced status (if any) has the reply's class; and a reply arrives
 * exactly at a line whose fourth character is not '-'.
 */
class ReplyParserFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void replies(byte[] input) {
        String[] lines = new String(input, StandardCharsets.UTF_8).split("\n", -1);
        ReplyParser parser = new ReplyParser();
        int linesInReply = 0;
        for (String raw : lines) {
            String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
            Reply reply;
            try {
                reply = parser.accept(line);
            } catch (MalformedReplyException e) {
                check(e.getMessage() != null && e.getMessage().chars().noneMatch(c -> c < 0x20 && c != '\t'),
                        "refusal text with a control character");
                return; // the client drops the connection
            }
            linesInReply++;
            boolean last = line.length() == 3 || line.charAt(3) == ' ';
            check((reply != null) == last, "reply " + reply + " after line '" + line + "'");
            check(parser.inProgress() == !last, "inProgress disagrees with the line");
            if (reply != null) {
                check(reply.code() >= 200 && reply.code() <= 559 && reply.code() % 100 / 10 <= 5, "code " + reply.code());
                check(reply.code() == Integer.parseInt(line.substring(0, 3)), "code not from the line");
                check(reply.lines().size() == linesInReply && linesInReply <= ReplyParser.MAX_LINES, "line count");
                for (String text : reply.lines()) {
                    check(text.length() <= ReplyParser.MAX_LINE_LENGTH, "line over the bound");
                    check(text.chars().noneMatch(c -> (c < 0x20 && c != '\t') || c == 0x7f), "control character kept: " + text);
                }
                check(reply.enhancedStatus() == null || reply.enhancedStatus().charAt(0) - '0' == reply.code() / 100,
                        "enhanced status " + reply.enhancedStatus() + " for " + reply.code());
                check(reply.toRemote() != null && reply.toString() != null, "no report text");
                linesInReply = 0;
            }
        }
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }
}
