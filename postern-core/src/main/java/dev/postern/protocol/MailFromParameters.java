package dev.postern.protocol;

import dev.postern.BodyType;
import dev.postern.MailParameters;
import dev.postern.SmtpReply;
import dev.postern.SmtpServerConfig;

import java.util.Locale;
import java.util.Map;

/**
 * The rules for MAIL FROM's parameters (RFC 5321 4.1.2 Mail-parameters): only after EHLO, and only those
 * of an extension the server offers. SIZE (RFC 1870), BODY (RFC 6152), AUTH (RFC 4954 5), SMTPUTF8
 * (RFC 6531 3.4), RET and ENVID (RFC 3461 4.3, 4.4) are known; anything else is refused.
 */
final class MailFromParameters {

    private MailFromParameters() {
    }

    /** What checking the parameters gave: their effect on the transaction, or the reply that refuses them. */
    sealed interface Result permits Accepted, Refused {
    }

    /** The parameters' effect on the transaction; {@code declaredSize} is -1 without SIZE. */
    record Accepted(BodyType body, boolean smtpUtf8, long declaredSize) implements Result {
    }

    record Refused(SmtpReply reply) implements Result {
    }

    /** A MAIL without parameters, the common case: nothing to allocate. */
    static final Accepted NONE = new Accepted(BodyType.UNSPECIFIED, false, -1);

    /** Checks {@code params} in the client's order; the first one refused decides the reply. */
    static Result check(MailParameters params, boolean esmtp, SmtpServerConfig config) {
        if (params.isEmpty()) {
            return NONE;
        }
        if (!esmtp) {
            return new Refused(Replies.PARAMS_NEED_EHLO);
        }
        SmtpServerConfig.Extensions ext = config.extensions();
        BodyType body = BodyType.UNSPECIFIED;
        boolean utf8 = false;
        long declaredSize = -1;
        for (Map.Entry<String, String> p : params.values().entrySet()) {
            String key = p.getKey();
            String value = p.getValue();
            switch (key) {
                case "SIZE" -> {
                    if (!ext.size()) {
                        return unsupported(key);
                    }
                    if (value.isEmpty() || value.length() > 20 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                        return new Refused(Replies.BAD_SIZE);
                    }
                    declaredSize = value.length() > 18 ? Long.MAX_VALUE : Long.parseLong(value);
                    // RFC 1870 6: a declared size over the limit is refused at once.
                    if (declaredSize > config.maxMessageSize()) {
                        return new Refused(Replies.MESSAGE_TOO_BIG);
                    }
                }
                case "BODY" -> {
                    if (!ext.eightBitMime()) {
                        return unsupported(key);
                    }
                    switch (value.toUpperCase(Locale.ROOT)) {
                        case "7BIT" -> body = BodyType.SEVEN_BIT;
                        case "8BITMIME" -> body = BodyType.EIGHT_BIT_MIME;
                        default -> {
                            return new Refused(Replies.BAD_BODY);
                        }
                    }
                }
                case "AUTH" -> {
                    // RFC 4954 5: the identity the message was submitted by; kept in the parameters, not trusted
                    if (!config.auth().enabled()) {
                        return unsupported(key);
                    }
                }
                case "RET" -> {
                    if (!ext.dsn()) {
                        return unsupported(key);
                    }
                    if (!value.equalsIgnoreCase("FULL") && !value.equalsIgnoreCase("HDRS")) {
                        return new Refused(Replies.BAD_RET);
                    }
                }
                case "ENVID" -> {
                    if (!ext.dsn()) {
                        return unsupported(key);
                    }
                    if (!DsnParameters.validEnvelopeId(value)) {
                        return new Refused(Replies.BAD_ENVID);
                    }
                }
                case "SMTPUTF8" -> {
                    if (!ext.smtpUtf8()) {
                        return unsupported(key);
                    }
                    if (!value.isEmpty()) {
                        return new Refused(Replies.SMTPUTF8_VALUE);
                    }
                    utf8 = true;
                }
                default -> {
                    return unsupported(key);
                }
            }
        }
        return new Accepted(body, utf8, declaredSize);
    }

    private static Refused unsupported(String keyword) {
        return new Refused(Replies.unsupportedParameter(keyword));
    }
}
