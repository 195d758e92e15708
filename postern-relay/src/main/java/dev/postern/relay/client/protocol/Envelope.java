package dev.postern.relay.client.protocol;

import dev.postern.relay.DeliveryRequest;
import dev.postern.relay.MessageContent;
import dev.postern.relay.OutboundRecipient;
import dev.postern.relay.RemoteReply;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * The MAIL and RCPT commands of a request for one server, and the checks that refuse a message the server
 * cannot take, before anything is sent: the message is larger than the declared SIZE, needs SMTPUTF8 or
 * carries 8-bit content the server does not accept.
 *
 * @param mail    the MAIL command
 * @param rcpts   one RCPT command per recipient, in request order
 * @param refusal when the message cannot go to this server: the permanent reason; else null
 */
public record Envelope(String mail, List<String> rcpts, RemoteReply refusal) {

    // RFC 3461 4.1: NEVER, or a comma-separated list of SUCCESS, FAILURE, DELAY.
    private static final Pattern NOTIFY = Pattern.compile("(?i)NEVER|(SUCCESS|FAILURE|DELAY)(,(SUCCESS|FAILURE|DELAY))*");
    // RFC 3461 4.2: addr-type ";" xtext, printable US-ASCII without spaces.
    private static final Pattern ORCPT = Pattern.compile("[A-Za-z0-9-]+;[!-~]{1,500}");
    // RFC 3461 4.3: RET=FULL or RET=HDRS.
    private static final Pattern RET = Pattern.compile("(?i)FULL|HDRS");
    // RFC 3461 4.4: ENVID is xtext ("+" and "=" only as "+XX" escapes), at most 100 characters.
    private static final Pattern ENVID = Pattern.compile("(?:[!-*,-<>-~]|\\+[0-9A-F]{2}){1,100}");

    /**
     * Builds the commands, or the refusal.
     *
     * @param request the delivery
     * @param caps    the server's extensions
     * @return the envelope
     * @throws IOException when the content must be scanned for 8-bit octets and cannot be read
     */
    public static Envelope of(DeliveryRequest request, Capabilities caps) throws IOException {
        for (OutboundRecipient r : request.recipients()) {
            if (!safe(r.address())) {
                return refused("5.1.3", "recipient address contains a control character or angle bracket");
            }
        }
        if (!safe(request.sender())) {
            return refused("5.1.7", "sender address contains a control character or angle bracket");
        }
        OptionalLong max = caps.maxSize();
        if (max.isPresent() && request.size() > max.getAsLong()) {
            // RFC 1870 6.1: the client should not send a message larger than the declared maximum.
            return refused("5.3.4", "message size " + request.size() + " exceeds the next hop's fixed maximum message size of "
                    + max.getAsLong() + " (RFC 1870)");
        }
        boolean utf8 = request.smtpUtf8() || !ascii(request.sender())
                || request.recipients().stream().anyMatch(r -> !ascii(r.address()));
        if (utf8 && !caps.smtpUtf8()) {
            // RFC 6531 3.2: without SMTPUTF8 at the server, the message cannot go on unchanged.
            return refused("5.6.7", "the message needs SMTPUTF8 (RFC 6531) and the next hop does not offer it");
        }
        boolean body8 = false;
        if (request.eightBitMime()) {
            if (caps.eightBitMime()) {
                body8 = true;
            } else if (has8Bit(request.content())) {
                // RFC 6152 3: 8-bit data must not go to a server without 8BITMIME; Postern does not convert it.
                return refused("5.6.3", "the message has 8-bit content and the next hop does not offer 8BITMIME "
                        + "(RFC 6152); it is not converted to 7 bits");
            }
        }
        StringBuilder mail = new StringBuilder("MAIL FROM:<").append(request.sender()).append('>');
        if (caps.size()) {
            mail.append(" SIZE=").append(request.size());
        }
        if (body8) {
            mail.append(" BODY=8BITMIME");
        }
        if (utf8) {
            mail.append(" SMTPUTF8");
        }
        // RFC 3461 5.2.1: RET and ENVID go on with the message when the next hop offers DSN; a malformed value
        // (the queue should never hold one) is left out, as on RCPT.
        if (caps.dsn() && request.dsnRet() != null && RET.matcher(request.dsnRet()).matches()) {
            mail.append(" RET=").append(request.dsnRet());
        }
        if (caps.dsn() && request.dsnEnvid() != null && ENVID.matcher(request.dsnEnvid()).matches()) {
            mail.append(" ENVID=").append(request.dsnEnvid());
        }
        List<String> rcpts = new ArrayList<>();
        for (OutboundRecipient r : request.recipients()) {
            rcpts.add(rcpt(r, caps.dsn()));
        }
        return new Envelope(mail.toString(), rcpts, null);
    }

    private static String rcpt(OutboundRecipient r, boolean dsn) {
        StringBuilder b = new StringBuilder("RCPT TO:<").append(r.address()).append('>');
        // RFC 3461 4: pass the DSN request on when the next hop can honour it. A malformed value (the queue
        // should never hold one) is left out rather than sent: it could otherwise inject a command.
        if (dsn && r.dsnNotify() != null && NOTIFY.matcher(r.dsnNotify()).matches()) {
            b.append(" NOTIFY=").append(r.dsnNotify());
        }
        if (dsn && r.dsnOrcpt() != null && ORCPT.matcher(r.dsnOrcpt()).matches()) {
            b.append(" ORCPT=").append(r.dsnOrcpt());
        }
        return b.toString();
    }

    private static Envelope refused(String status, String text) {
        return new Envelope(null, List.of(), RemoteReply.local(status, text));
    }

    /** No control characters, no angle brackets: the address cannot break out of its command line. */
    private static boolean safe(String address) {
        return address.chars().noneMatch(c -> c < ' ' || c == 0x7f || c == '<' || c == '>');
    }

    private static boolean ascii(String s) {
        return s.chars().allMatch(c -> c < 0x80);
    }

    private static boolean has8Bit(MessageContent content) throws IOException {
        try (InputStream in = content.open()) {
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) >= 0; ) {
                for (int i = 0; i < n; i++) {
                    if (buf[i] < 0) {
                        return true;
                    }
                }
            }
            return false;
        }
    }
}
