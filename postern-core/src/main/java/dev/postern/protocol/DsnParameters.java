package dev.postern.protocol;

import dev.postern.DsnNotify;
import dev.postern.MailParameters;
import dev.postern.OriginalRecipient;
import dev.postern.SmtpReply;
import dev.postern.SmtpServerConfig;
import dev.postern.Xtext;

import java.util.Map;

/**
 * The rules for RCPT TO's parameters (RFC 3461 4.1, 4.2: NOTIFY and ORCPT, when DSN is offered) and for
 * MAIL FROM's ENVID (4.4). A known parameter with a bad value is a syntax error in parameters (501); an
 * unknown one, or any without EHLO, is not recognized (555, RFC 5321 4.1.1.11).
 */
final class DsnParameters {

    /** RFC 3461 4.4: an ENVID is at most 100 characters. */
    static final int MAX_ENVID = 100;

    private DsnParameters() {
    }

    /** The refusal of {@code params} on RCPT TO, or null when they are accepted. */
    static SmtpReply checkRcpt(MailParameters params, boolean esmtp, SmtpServerConfig config) {
        if (params.isEmpty()) {
            return null;
        }
        if (!esmtp) {
            return Replies.PARAMS_NEED_EHLO;
        }
        for (Map.Entry<String, String> p : params.values().entrySet()) {
            String key = p.getKey();
            if (!config.extensions().dsn() || !(key.equals("NOTIFY") || key.equals("ORCPT"))) {
                return Replies.unsupportedParameter(key);
            }
            try {
                if (key.equals("NOTIFY")) {
                    DsnNotify.parse(p.getValue());
                } else {
                    OriginalRecipient.parse(p.getValue());
                }
            } catch (IllegalArgumentException e) {
                return key.equals("NOTIFY") ? Replies.BAD_NOTIFY : Replies.BAD_ORCPT;
            }
        }
        return null;
    }

    /** ENVID: xtext, at most 100 characters, decoding to printable US-ASCII (RFC 3461 4.4). */
    static boolean validEnvelopeId(String value) {
        if (value.isEmpty() || value.length() > MAX_ENVID) {
            return false;
        }
        try {
            return Xtext.decode(value).chars().allMatch(c -> c >= ' ' && c <= '~');
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
