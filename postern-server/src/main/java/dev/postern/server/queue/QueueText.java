package dev.postern.server.queue;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The text that {@code postern queue} prints without {@code --json}, from the API's JSON. */
final class QueueText {

    private QueueText() {
    }

    /**
     * One line per message, as {@code mailq} would: id, age, size, sender, then each recipient with its
     * state (and attempts), the next attempt, the last remote reply and the proxy of the last attempt;
     * then the totals.
     */
    static List<String> list(JsonNode messages, Instant now) {
        List<String> lines = new ArrayList<>();
        long octets = 0;
        int deferred = 0;
        int held = 0;
        for (JsonNode m : messages) {
            octets += m.path("size").asLong();
            StringBuilder line = new StringBuilder();
            line.append(String.format("%-24s %6s %9d <%s>", m.path("id").asText(), age(m.path("ageSeconds").asLong()),
                    m.path("size").asLong(), clean(m.path("sender").asText())));
            List<String> recipients = new ArrayList<>();
            String reply = null;
            String proxy = null;
            String last = "";
            boolean anyDeferred = false;
            for (JsonNode r : m.path("recipients")) {
                String state = r.path("state").asText();
                anyDeferred |= r.path("status").asText().equals("deferred");
                int attempts = r.path("attempts").asInt();
                recipients.add("<" + clean(r.path("address").asText()) + "> " + state + (attempts > 0 ? " x" + attempts : ""));
                String at = r.path("lastAttempt").asText("");
                if (!r.path("lastReply").isNull() && at.compareTo(last) >= 0) {
                    last = at;
                    reply = r.path("lastReply").asText();
                    proxy = r.path("proxy").asText("");
                }
            }
            deferred += anyDeferred ? 1 : 0;
            held += m.path("held").asBoolean() ? 1 : 0;
            line.append(" -> ").append(String.join(", ", recipients));
            JsonNode next = m.path("nextAttempt");
            line.append(" next=").append(next.isNull() || next.isMissingNode() ? "-" : relative(Instant.parse(next.asText()), now));
            if (reply != null) {
                line.append(" reply=\"").append(clean(reply)).append('"');
            }
            if (proxy != null && !proxy.isEmpty()) {
                line.append(' ').append(clean(proxy));
            }
            lines.add(line.toString());
        }
        lines.add("-- " + messages.size() + " message(s), " + octets + " octets, " + deferred + " deferred, " + held + " held");
        return lines;
    }

    /** A message's envelope, each recipient's history, then its header fields. */
    static List<String> show(JsonNode m, Instant now) {
        List<String> lines = new ArrayList<>();
        lines.add("Queue-Id: " + m.path("id").asText());
        lines.add("Arrival:  " + m.path("arrival").asText() + " (" + age(m.path("ageSeconds").asLong()) + " ago)");
        lines.add("Size:     " + m.path("size").asLong() + " octets, BODY=" + m.path("body").asText()
                + (m.path("smtpUtf8").asBoolean() ? ", SMTPUTF8" : ""));
        lines.add("Sender:   <" + clean(m.path("sender").asText()) + ">"
                + (m.path("ret").isNull() ? "" : " RET=" + m.path("ret").asText())
                + (m.path("envid").isNull() ? "" : " ENVID=" + clean(m.path("envid").asText())));
        for (JsonNode r : m.path("recipients")) {
            lines.add("Rcpt:     <" + clean(r.path("address").asText()) + "> " + r.path("state").asText()
                    + ", " + r.path("attempts").asInt() + " attempt(s)"
                    + (r.path("lastAttempt").isNull() ? "" : ", last " + r.path("lastAttempt").asText())
                    + (r.path("remote").asText("").isEmpty() ? "" : " to " + clean(r.path("remote").asText()))
                    + (r.path("proxy").asText("").isEmpty() ? "" : " " + clean(r.path("proxy").asText()))
                    + (r.path("lastReply").isNull() ? "" : ": \"" + clean(r.path("lastReply").asText()) + "\"")
                    + (r.path("nextAttempt").isNull() ? "" : ", next " + relative(Instant.parse(r.path("nextAttempt").asText()), now)));
            JsonNode history = r.path("history");
            int older = r.path("attempts").asInt() - history.size();
            if (older > 0) {
                lines.add("          (" + older + " older attempt(s) not kept)");
            }
            for (JsonNode a : history) {
                lines.add("  Attempt: " + a.path("time").asText() + " " + a.path("outcome").asText()
                        + (a.path("remote").asText("").isEmpty() ? "" : " to " + clean(a.path("remote").asText()))
                        + (a.path("proxy").asText("").isEmpty() ? "" : " " + clean(a.path("proxy").asText()))
                        + ": \"" + clean(a.path("reply").asText()) + "\"");
            }
        }
        lines.add("");
        for (JsonNode h : m.path("headers")) {
            lines.add(clean(h.path("name").asText()) + ": " + clean(h.path("value").asText()));
        }
        if (m.path("headersTruncated").asBoolean()) {
            lines.add("[header truncated]");
        }
        return lines;
    }

    /** Control characters from a message or a remote reply must not drive the operator's terminal. */
    static String clean(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                b.append(String.format("\\x%02x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }

    static String age(long seconds) {
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return seconds / 60 + "m";
        }
        if (seconds < 86400) {
            return seconds / 3600 + "h" + (seconds / 60 % 60 == 0 ? "" : seconds / 60 % 60 + "m");
        }
        return seconds / 86400 + "d" + (seconds / 3600 % 24 == 0 ? "" : seconds / 3600 % 24 + "h");
    }

    private static String relative(Instant when, Instant now) {
        long s = Duration.between(now, when).toSeconds();
        return s <= 0 ? "now" : "in " + age(s);
    }
}
