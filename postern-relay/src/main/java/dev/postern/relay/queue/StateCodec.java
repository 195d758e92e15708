package dev.postern.relay.queue;

import dev.postern.BodyType;
import dev.postern.relay.RemoteReply;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The state file of a queued message, in UTF-8 text that an operator can read:
 * <pre>
 * postern-queue 1
 * id 1a2b3c-2kx-1
 * arrival 2026-01-01T00:00:00.123456Z
 * size 1234
 * sender alice@example.org
 * ret FULL
 * envid QQ314159
 * body EIGHT_BIT_MIME
 * smtputf8 false
 * rcpt address=bob@example.net status=DEFERRED attempts=1 next=... last=... held=false replycode=451 ...
 * attempt time=... outcome=DEFERRED replycode=451 replystatus=4.3.0 replytext=... remote=... proxy=...
 * end
 * </pre>
 * Each {@code attempt} line belongs to the {@code rcpt} line above it: that recipient's delivery history,
 * oldest first, at most {@link RecipientState#HISTORY_LIMIT} lines. Files written before the history existed
 * have none and load with an empty history.
 * Values are percent-encoded (UTF-8) where they hold a space, '%', '=' or a control character, so a
 * remote reply can never break a line or a field. {@code ret}, {@code envid} and the optional recipient
 * fields are left out when absent. The closing {@code end} line catches a file cut short, which the
 * atomic rename makes impossible unless the disk itself fails.
 */
final class StateCodec {

    static final String MAGIC = "postern-queue 1";

    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

    private StateCodec() {
    }

    static byte[] encode(QueuedMessage m) {
        StringBuilder out = new StringBuilder(256 + 160 * m.recipients().size());
        out.append(MAGIC).append('\n');
        line(out, "id", m.id());
        line(out, "arrival", m.arrival().toString());
        line(out, "size", Long.toString(m.size()));
        line(out, "sender", m.sender());
        if (m.ret() != null) {
            line(out, "ret", m.ret().name());
        }
        if (m.envid() != null) {
            line(out, "envid", m.envid());
        }
        line(out, "body", m.bodyType().name());
        line(out, "smtputf8", Boolean.toString(m.smtpUtf8()));
        for (RecipientState r : m.recipients()) {
            out.append("rcpt");
            field(out, "address", r.address());
            field(out, "status", r.status().name());
            field(out, "attempts", Integer.toString(r.attempts()));
            field(out, "next", r.nextAttempt().toString());
            field(out, "held", Boolean.toString(r.held()));
            field(out, "delaynotified", Boolean.toString(r.delayNotified()));
            optional(out, "notify", r.dsnNotify());
            optional(out, "orcpt", r.dsnOrcpt());
            optional(out, "last", r.lastAttempt() == null ? null : r.lastAttempt().toString());
            if (r.lastReply() != null) {
                reply(out, r.lastReply());
            }
            optional(out, "remote", r.remote().isEmpty() ? null : r.remote());
            optional(out, "proxy", r.proxy().isEmpty() ? null : r.proxy());
            out.append('\n');
            for (DeliveryAttempt a : r.history()) {
                out.append("attempt");
                field(out, "time", a.time().toString());
                field(out, "outcome", a.outcome().name());
                reply(out, a.reply());
                optional(out, "remote", a.remote().isEmpty() ? null : a.remote());
                optional(out, "proxy", a.proxy().isEmpty() ? null : a.proxy());
                out.append('\n');
            }
        }
        out.append("end\n");
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @throws IllegalArgumentException when the text is not a complete state file of this version
     */
    static QueuedMessage decode(byte[] bytes) {
        String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n", -1);
        if (lines.length < 3 || !lines[0].equals(MAGIC)) {
            throw new IllegalArgumentException("not a state file of version 1");
        }
        if (!lines[lines.length - 2].equals("end") || !lines[lines.length - 1].isEmpty()) {
            throw new IllegalArgumentException("state file cut short (no end line)");
        }
        Map<String, String> fields = new HashMap<>();
        List<RecipientState> recipients = new ArrayList<>();
        List<List<DeliveryAttempt>> histories = new ArrayList<>();
        for (int i = 1; i < lines.length - 2; i++) {
            String line = lines[i];
            int space = line.indexOf(' ');
            String key = space < 0 ? line : line.substring(0, space);
            String value = space < 0 ? "" : line.substring(space + 1);
            if (key.equals("rcpt")) {
                recipients.add(recipient(value));
                histories.add(new ArrayList<>());
            } else if (key.equals("attempt")) {
                if (histories.isEmpty()) {
                    throw new IllegalArgumentException("attempt before any rcpt");
                }
                List<DeliveryAttempt> history = histories.getLast();
                if (history.size() == RecipientState.HISTORY_LIMIT) {
                    throw new IllegalArgumentException("more than " + RecipientState.HISTORY_LIMIT + " attempts");
                }
                history.add(attempt(value));
            } else if (fields.put(key, decodeValue(value)) != null) {
                throw new IllegalArgumentException("field " + key + " twice");
            }
        }
        for (int i = 0; i < recipients.size(); i++) {
            if (!histories.get(i).isEmpty()) {
                RecipientState r = recipients.get(i);
                recipients.set(i, new RecipientState(r.address(), r.dsnNotify(), r.dsnOrcpt(), r.status(), r.attempts(),
                        r.nextAttempt(), r.lastAttempt(), r.lastReply(), r.remote(), r.proxy(), r.held(),
                        r.delayNotified(), histories.get(i)));
            }
        }
        QueuedMessage m = new QueuedMessage(required(fields, "id"), Instant.parse(required(fields, "arrival")),
                Long.parseLong(required(fields, "size")), required(fields, "sender"),
                fields.containsKey("ret") ? DsnReturn.valueOf(fields.remove("ret")) : null, fields.remove("envid"),
                BodyType.valueOf(required(fields, "body")), bool(required(fields, "smtputf8")), recipients);
        if (!fields.isEmpty()) {
            throw new IllegalArgumentException("unknown fields " + fields.keySet());
        }
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("no recipients");
        }
        return m;
    }

    private static Map<String, String> items(String text) {
        Map<String, String> f = new HashMap<>();
        for (String item : text.split(" ")) {
            int eq = item.indexOf('=');
            if (eq < 0 || f.put(item.substring(0, eq), decodeValue(item.substring(eq + 1))) != null) {
                throw new IllegalArgumentException("bad recipient item: " + item);
            }
        }
        return f;
    }

    private static DeliveryAttempt attempt(String text) {
        Map<String, String> f = items(text);
        DeliveryAttempt a = new DeliveryAttempt(Instant.parse(required(f, "time")),
                RecipientState.Status.valueOf(required(f, "outcome")),
                new RemoteReply(Integer.parseInt(required(f, "replycode")), f.remove("replystatus"), required(f, "replytext")),
                orEmpty(f.remove("remote")), orEmpty(f.remove("proxy")));
        if (!f.isEmpty()) {
            throw new IllegalArgumentException("unknown attempt items " + f.keySet());
        }
        return a;
    }

    private static void reply(StringBuilder out, RemoteReply reply) {
        field(out, "replycode", Integer.toString(reply.code()));
        optional(out, "replystatus", reply.enhancedStatus());
        field(out, "replytext", reply.text());
    }

    private static RecipientState recipient(String text) {
        Map<String, String> f = items(text);
        String code = f.remove("replycode");
        RemoteReply reply = code == null ? null
                : new RemoteReply(Integer.parseInt(code), f.remove("replystatus"), required(f, "replytext"));
        String last = f.remove("last");
        RecipientState r = new RecipientState(required(f, "address"), f.remove("notify"), f.remove("orcpt"),
                RecipientState.Status.valueOf(required(f, "status")), Integer.parseInt(required(f, "attempts")),
                Instant.parse(required(f, "next")), last == null ? null : Instant.parse(last), reply,
                orEmpty(f.remove("remote")), orEmpty(f.remove("proxy")), bool(required(f, "held")),
                bool(required(f, "delaynotified")));
        if (!f.isEmpty()) {
            throw new IllegalArgumentException("unknown recipient items " + f.keySet());
        }
        return r;
    }

    private static void line(StringBuilder out, String key, String value) {
        out.append(key).append(' ').append(encodeValue(value)).append('\n');
    }

    private static void field(StringBuilder out, String key, String value) {
        out.append(' ').append(key).append('=').append(encodeValue(value));
    }

    private static void optional(StringBuilder out, String key, String value) {
        if (value != null) {
            field(out, key, value);
        }
    }

    private static String required(Map<String, String> fields, String key) {
        String v = fields.remove(key);
        if (v == null) {
            throw new IllegalArgumentException("missing " + key);
        }
        return v;
    }

    private static boolean bool(String v) {
        return switch (v) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("not a boolean: " + v);
        };
    }

    private static String orEmpty(String v) {
        return v == null ? "" : v;
    }

    static String encodeValue(String value) {
        byte[] in = value.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
        for (byte b : in) {
            int c = b & 0xff;
            if (c <= ' ' || c == '%' || c == '=' || c == 0x7f) {
                out.write('%');
                out.write(HEX[c >> 4]);
                out.write(HEX[c & 0xf]);
            } else {
                // UTF-8 octets >= 0x80 stay as they are: the file is UTF-8.
                out.write(c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    static String decodeValue(String value) {
        byte[] in = value.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
        for (int i = 0; i < in.length; i++) {
            if (in[i] == '%') {
                if (i + 2 >= in.length) {
                    throw new IllegalArgumentException("bad escape in " + value);
                }
                int hi = Character.digit(in[i + 1], 16);
                int lo = Character.digit(in[i + 2], 16);
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException("bad escape in " + value);
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else if ((in[i] & 0xff) <= ' ' || in[i] == '=' || in[i] == 0x7f) {
                throw new IllegalArgumentException("unescaped octet in " + value);
            } else {
                out.write(in[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
