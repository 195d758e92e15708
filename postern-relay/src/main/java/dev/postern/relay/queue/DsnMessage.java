package dev.postern.relay.queue;

import dev.postern.relay.MessageContent;
import dev.postern.relay.RemoteReply;
import dev.postern.relay.queue.Outcomes.Event;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Builds a delivery status notification (RFC 3464): a {@code multipart/report; report-type=delivery-status}
 * with a human-readable part, a {@code message/delivery-status} part (one group per recipient), and the
 * original message's header ({@code text/rfc822-headers}) or, for a failure with RET=FULL, the message
 * itself ({@code message/rfc822}) when it is not larger than the configured bound. A message that came
 * with SMTPUTF8 gets the RFC 6533 types ({@code message/global-*}). CRLF line endings throughout; the
 * boundary is checked against the returned octets; every value taken from the envelope or from a remote
 * reply is stripped of control characters so it cannot break out of its field.
 */
final class DsnMessage {

    /** The three reports, by the RFC 3464 2.3.3 action they carry. */
    enum Type {
        FAILURE("failed", "Undelivered Mail Returned to Sender"),
        DELAY("delayed", "Delayed Mail (still being retried)"),
        SUCCESS("relayed", "Successful Mail Delivery Report");

        final String action;
        final String subject;

        Type(String action, String subject) {
            this.action = action;
            this.subject = subject;
        }
    }

    /** The notification, and whether it holds 8-bit octets (returned content), to be sent with BODY=8BITMIME. */
    record Built(byte[] content, boolean eightBit) {
    }

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final boolean utf8;

    private DsnMessage(boolean utf8) {
        this.utf8 = utf8;
    }

    static Built build(Type type, QueuedMessage original, List<Event> events, MessageContent content,
                       DeliverySettings settings, Instant now) {
        String mta = settings.reportingMta();
        boolean full = type == Type.FAILURE && original.ret() == DsnReturn.FULL && original.size() <= settings.maxReturnedContent();
        byte[] returned = returned(content, full, settings.maxReturnedContent());
        boolean global = original.smtpUtf8();
        String boundary = boundary(returned);
        DsnMessage m = new DsnMessage(global);

        m.field("From", "Mail Delivery System <MAILER-DAEMON@" + mta + ">");
        m.field("To", "<" + original.sender() + ">");
        m.field("Subject", type.subject);
        m.field("Date", DATE.format(now));
        m.field("Message-ID", "<" + original.id() + "." + type.name().toLowerCase(Locale.ROOT) + "."
                + Long.toString(now.toEpochMilli(), 36) + "." + Integer.toString(RANDOM.nextInt() >>> 1, 36) + "@" + mta + ">");
        // RFC 3834 5: a DSN is an automatic reply.
        m.field("Auto-Submitted", "auto-replied");
        m.field("MIME-Version", "1.0");
        m.field("Content-Type", "multipart/report; report-type=delivery-status; boundary=\"" + boundary + "\"");
        m.line("");
        m.line("This is a MIME-encapsulated message.");

        m.line("");
        m.line("--" + boundary);
        m.field("Content-Description", "Notification");
        m.field("Content-Type", "text/plain; charset=" + (global ? "utf-8" : "us-ascii"));
        m.line("");
        m.humanReadable(type, original, events, mta, returned != null, full, settings);

        m.line("");
        m.line("--" + boundary);
        m.field("Content-Description", "Delivery report");
        m.field("Content-Type", global ? "message/global-delivery-status" : "message/delivery-status");
        m.line("");
        m.field("Reporting-MTA", "dns; " + mta);
        if (original.envid() != null) {
            m.field("Original-Envelope-Id", xtextDecode(original.envid()));
        }
        m.field("X-Postern-Queue-ID", original.id());
        m.field("Arrival-Date", DATE.format(original.arrival()));
        for (Event e : events) {
            m.line("");
            m.recipientFields(type, e, settings.retry().deadline(original.arrival()));
        }

        boolean eightBit = false;
        if (returned != null) {
            eightBit = hasEightBit(returned);
            m.line("");
            m.line("--" + boundary);
            m.field("Content-Description", full ? "Undelivered Message" : "Undelivered Message Headers");
            m.field("Content-Type", full ? (global ? "message/global" : "message/rfc822")
                    : (global ? "message/global-headers" : "text/rfc822-headers"));
            if (eightBit) {
                m.field("Content-Transfer-Encoding", "8bit");
            }
            m.line("");
            m.out.writeBytes(returned);
        }
        m.line("");
        m.line("--" + boundary + "--");
        return new Built(m.out.toByteArray(), eightBit);
    }

    private void humanReadable(Type type, QueuedMessage original, List<Event> events, String mta, boolean returned,
                               boolean full, DeliverySettings settings) {
        line("This is the mail system at host " + mta + ".");
        line("");
        wrapped("", switch (type) {
            case FAILURE -> "I'm sorry to have to inform you that your message could not be delivered to one or more"
                    + " recipients." + (!returned ? "" : full ? " It is attached below." : " Its header is attached below.")
                    + (returned && !full && original.ret() == DsnReturn.FULL
                    ? " The message is larger than " + settings.maxReturnedContent() + " octets, too large to return whole." : "");
            case DELAY -> "Your message could not be delivered yet to the recipients below. The mail system keeps trying"
                    + " until " + DATE.format(settings.retry().deadline(original.arrival())) + ".";
            case SUCCESS -> "Your message was relayed to the recipients below. The next hop does not report delivery,"
                    + " so you will hear no more about them.";
        });
        line("");
        for (Event e : events) {
            RecipientState r = e.recipient();
            wrapped("   ", "<" + r.address() + ">: " + explanation(e));
        }
    }

    /** Text wrapped at spaces to lines of at most 78 characters where the words allow. */
    private void wrapped(String indent, String text) {
        StringBuilder line = new StringBuilder();
        for (String word : clean(text).split(" ")) {
            if (word.isEmpty()) {
                continue;
            }
            String w = word.length() > 900 ? word.substring(0, 900) : word;
            if (!line.isEmpty() && line.length() + 1 + w.length() > 78) {
                line(line.toString());
                line.setLength(0);
                line.append(indent);
            }
            line.append(line.isEmpty() || line.toString().isBlank() ? "" : " ").append(w);
        }
        line(line.toString());
    }

    private static String explanation(Event e) {
        RecipientState r = e.recipient();
        RemoteReply reply = r.lastReply();
        String said = reply == null ? "" : r.remote().isEmpty() || reply.code() == 0 ? reply.toString()
                : "host " + r.remote() + " said: " + reply;
        return switch (e.kind()) {
            case EXPIRED -> "delivery time expired" + (said.isEmpty() ? "" : "; last error: " + said);
            case CANCELLED -> "delivery cancelled by the operator";
            default -> said;
        };
    }

    private void recipientFields(Type type, Event e, Instant deadline) {
        RecipientState r = e.recipient();
        if (r.dsnOrcpt() != null) {
            field("Original-Recipient", xtextDecode(r.dsnOrcpt()));
        }
        boolean ascii = r.address().chars().allMatch(c -> c < 0x80);
        field("Final-Recipient", (ascii ? "rfc822; " : "utf-8; ") + r.address());
        field("Action", type.action);
        field("Status", status(e));
        if (!r.remote().isEmpty()) {
            field("Remote-MTA", "dns; " + remoteHost(r.remote()));
        }
        RemoteReply reply = r.lastReply();
        if (reply != null && e.kind() != Outcomes.Kind.CANCELLED) {
            field("Diagnostic-Code", reply.code() == 0 ? "X-Postern; " + reply.text() : "smtp; " + reply);
        }
        if (r.lastAttempt() != null) {
            field("Last-Attempt-Date", DATE.format(r.lastAttempt()));
        }
        if (type == Type.DELAY) {
            field("Will-Retry-Until", DATE.format(deadline));
        }
    }

    /** RFC 3464 2.3.4 / RFC 3463: the reply's enhanced code when it has the right class, else a generic one. */
    static String status(Event e) {
        RemoteReply reply = e.recipient().lastReply();
        String enhanced = reply == null || reply.enhancedStatus() == null ? "" : reply.enhancedStatus();
        return switch (e.kind()) {
            case DELIVERED -> enhanced.startsWith("2.") ? enhanced : "2.0.0";
            case DEFERRED -> enhanced.startsWith("4.") ? enhanced : "4.0.0";
            case FAILED -> enhanced.startsWith("5.") ? enhanced : "5.0.0";
            // RFC 3463 X.4.7: delivery time expired.
            case EXPIRED -> "4.4.7";
            case CANCELLED -> "5.0.0";
        };
    }

    /** {@code mx.example.net[192.0.2.1]:25} gives the name; a bare {@code [192.0.2.1]:25} the address. */
    static String remoteHost(String remote) {
        int open = remote.indexOf('[');
        int close = remote.indexOf(']', open + 1);
        if (open > 0) {
            return remote.substring(0, open);
        }
        return open == 0 && close > 0 ? remote.substring(1, close) : remote;
    }

    private static byte[] returned(MessageContent content, boolean full, long max) {
        try (InputStream in = content.open()) {
            if (full) {
                return in.readAllBytes();
            }
            byte[] head = in.readNBytes((int) Math.min(max, Integer.MAX_VALUE - 16));
            return header(head);
        } catch (IOException e) {
            MailQueue.LOG.warn("cannot read the message to return in a DSN: {}", e.toString());
            return null;
        }
    }

    /** The header section (through the CRLF of its last field), or its complete lines when cut by the bound. */
    static byte[] header(byte[] head) {
        int end = head.length;
        for (int i = 0; i + 1 < head.length; i++) {
            if (head[i] == '\n' && (head[i + 1] == '\n' || head[i + 1] == '\r' && i + 2 < head.length && head[i + 2] == '\n')) {
                end = i + 1;
                break;
            }
        }
        if (end == head.length) {
            while (end > 0 && head[end - 1] != '\n') {
                end--;
            }
        }
        byte[] header = new byte[end];
        System.arraycopy(head, 0, header, 0, end);
        return header;
    }

    private static String boundary(byte[] returned) {
        String content = returned == null ? "" : new String(returned, StandardCharsets.ISO_8859_1);
        String boundary;
        do {
            byte[] random = new byte[12];
            RANDOM.nextBytes(random);
            boundary = "=_postern_" + HexFormat.of().formatHex(random);
        } while (content.contains(boundary));
        return boundary;
    }

    private static boolean hasEightBit(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return true;
            }
        }
        return false;
    }

    /** RFC 3461 4: xtext, where {@code +XX} stands for an octet; a malformed escape is kept as it is. */
    static String xtextDecode(String xtext) {
        ByteArrayOutputStream decoded = new ByteArrayOutputStream();
        byte[] in = xtext.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < in.length; i++) {
            int hi = i + 2 < in.length ? Character.digit(in[i + 1], 16) : -1;
            int lo = i + 2 < in.length ? Character.digit(in[i + 2], 16) : -1;
            if (in[i] == '+' && hi >= 0 && lo >= 0) {
                decoded.write(hi << 4 | lo);
                i += 2;
            } else {
                decoded.write(in[i]);
            }
        }
        return decoded.toString(StandardCharsets.UTF_8);
    }

    /** Control characters (CR and LF above all) become '?', and so do non-ASCII ones outside a global DSN. */
    private String clean(String value) {
        StringBuilder s = new StringBuilder(value.length());
        value.codePoints().forEach(c -> s.appendCodePoint(c < 0x20 || c == 0x7f || (c >= 0x80 && !utf8) ? '?' : c));
        return s.toString();
    }

    /** A header field, folded at spaces to lines of 78 characters where the words allow (RFC 5322 2.1.1). */
    private void field(String name, String value) {
        StringBuilder field = new StringBuilder(name).append(':');
        int lineLength = field.length();
        boolean first = true;
        for (String word : clean(value).split(" ")) {
            if (word.isEmpty()) {
                continue;
            }
            // RFC 5322 2.1.1: no line over 998 characters, whatever a remote reply held.
            String w = word.length() > 900 ? word.substring(0, 900) : word;
            if (!first && lineLength + 1 + w.length() > 78) {
                field.append("\r\n");
                lineLength = 0;
            }
            field.append(' ').append(w);
            lineLength += 1 + w.length();
            first = false;
        }
        line(field.toString());
    }

    private void line(String text) {
        out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(new byte[] {'\r', '\n'});
    }
}
