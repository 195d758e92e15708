package dev.postern.protocol;

import dev.postern.SmtpReply;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Every fixed reply of the server, in one place (RFC 5321 4.2.2, RFC 3463 / RFC 5248 codes): the
 * protocol's, with factories for those that name what the client sent, and the transport's
 * (admission, timeouts, shutdown), which name the server's host as RFC 5321 4.2 asks of a 421.
 */
public final class Replies {

    private Replies() {
    }

    public static final SmtpReply OK = SmtpReply.of(250, "2.0.0", "Ok");
    public static final SmtpReply SENDER_OK = SmtpReply.of(250, "2.1.0", "Ok");
    public static final SmtpReply RECIPIENT_OK = SmtpReply.of(250, "2.1.5", "Ok");
    public static final SmtpReply START_DATA = SmtpReply.of(354, "End data with <CR><LF>.<CR><LF>");
    public static final SmtpReply BYE = SmtpReply.of(221, "2.0.0", "Bye").andClose();
    public static final SmtpReply VRFY = SmtpReply.of(252, "2.5.0", "Cannot VRFY user, but will accept message and attempt delivery");

    public static final SmtpReply UNRECOGNIZED = SmtpReply.of(500, "5.5.2", "Command unrecognized");
    public static final SmtpReply EMPTY_LINE = SmtpReply.of(500, "5.5.2", "Error: bad syntax");
    public static final SmtpReply LINE_TOO_LONG = SmtpReply.of(500, "5.5.6", "Line too long");
    public static final SmtpReply BAD_CHARACTER = SmtpReply.of(500, "5.5.2", "NUL or bare CR in command line");
    public static final SmtpReply BAD_UTF8 = SmtpReply.of(500, "5.5.2", "Command line is not valid UTF-8");
    public static final SmtpReply BARE_LF_COMMAND = SmtpReply.of(554, "5.5.2", "Bare LF in command line not allowed; closing connection").andClose();
    public static final SmtpReply BARE_LINE_END_DATA = SmtpReply.of(554, "5.5.2", "Bare CR or LF in message data not allowed; closing connection").andClose();
    public static final SmtpReply LINE_OVERFLOW = SmtpReply.of(421, "4.7.0", "Line too long without end; closing connection");
    public static final SmtpReply READY_FOR_TLS = SmtpReply.of(220, "2.0.0", "Ready to start TLS");
    public static final SmtpReply TLS_ACTIVE = SmtpReply.of(503, "5.5.1", "Error: TLS already active");
    public static final SmtpReply TLS_REQUIRED = SmtpReply.of(530, "5.7.0", "Must issue a STARTTLS command first");
    public static final SmtpReply AUTH_OK = SmtpReply.of(235, "2.7.0", "Authentication successful");
    public static final SmtpReply AUTH_ALREADY = SmtpReply.of(503, "5.5.1", "Error: already authenticated");
    public static final SmtpReply AUTH_SYNTAX = SmtpReply.of(501, "5.5.4", "Syntax: AUTH mechanism [initial-response]");
    public static final SmtpReply AUTH_UNKNOWN_MECHANISM = SmtpReply.of(504, "5.5.4", "Unrecognized authentication type");
    public static final SmtpReply AUTH_NEEDS_TLS = SmtpReply.of(538, "5.7.11", "Encryption required for requested authentication mechanism");
    public static final SmtpReply AUTH_CANCELLED = SmtpReply.of(501, "5.0.0", "Authentication cancelled");
    public static final SmtpReply AUTH_TEMPORARY_FAILURE = SmtpReply.of(454, "4.7.0", "Temporary authentication failure");
    public static final SmtpReply AUTH_THROTTLED = SmtpReply.of(454, "4.7.0", "Too many failed authentication attempts, try again later");
    public static final SmtpReply AUTH_REQUIRED = SmtpReply.of(530, "5.7.0", "Authentication required");
    public static final SmtpReply NOT_IMPLEMENTED = SmtpReply.of(502, "5.5.1", "Command not implemented");
    public static final SmtpReply NO_PARAMETERS = SmtpReply.of(501, "5.5.4", "Syntax error: no parameters allowed");

    public static final SmtpReply HELO_FIRST = SmtpReply.of(503, "5.5.1", "Error: send HELO/EHLO first");
    public static final SmtpReply LHLO_FIRST = SmtpReply.of(503, "5.5.1", "Error: send LHLO first");
    public static final SmtpReply USE_LHLO = SmtpReply.of(500, "5.5.1", "Error: this is an LMTP server, send LHLO");
    public static final SmtpReply NESTED_MAIL = SmtpReply.of(503, "5.5.1", "Error: nested MAIL command");
    public static final SmtpReply MAIL_FIRST = SmtpReply.of(503, "5.5.1", "Error: need MAIL command");
    public static final SmtpReply RCPT_FIRST = SmtpReply.of(503, "5.5.1", "Error: need RCPT command");
    public static final SmtpReply DATA_IN_BDAT = SmtpReply.of(503, "5.5.1", "Error: DATA not allowed after BDAT");
    public static final SmtpReply PROXY_LATE = SmtpReply.of(503, "5.5.1", "Error: PROXY header not allowed here");
    public static final SmtpReply PROXY_V2_UNTRUSTED = SmtpReply.of(554, "5.5.1", "Error: PROXY header not allowed from this address; closing connection").andClose();
    public static final SmtpReply PIPELINING_OFF = SmtpReply.of(503, "5.5.0", "Error: PIPELINING not offered; wait for each reply");
    public static final SmtpReply EARLY_TALKER = SmtpReply.of(554, "5.5.0", "Error: client sent data before the greeting; closing connection").andClose();

    public static final SmtpReply HELO_SYNTAX = SmtpReply.of(501, "5.5.4", "Syntax: HELO/EHLO hostname");
    public static final SmtpReply MAIL_SYNTAX = SmtpReply.of(501, "5.5.4", "Syntax: MAIL FROM:<address>");
    public static final SmtpReply RCPT_SYNTAX = SmtpReply.of(501, "5.5.4", "Syntax: RCPT TO:<address>");
    public static final SmtpReply VRFY_SYNTAX = SmtpReply.of(501, "5.5.4", "Syntax: VRFY address");
    public static final SmtpReply BDAT_SYNTAX = SmtpReply.of(501, "5.5.4", "Syntax: BDAT size [LAST]");
    public static final SmtpReply PARAMS_NEED_EHLO = SmtpReply.of(555, "5.5.4", "Parameters require EHLO");
    public static final SmtpReply BAD_SIZE = SmtpReply.of(501, "5.5.4", "Bad SIZE value");
    public static final SmtpReply BAD_BODY = SmtpReply.of(501, "5.5.4", "Bad BODY value; 7BIT or 8BITMIME");
    public static final SmtpReply SMTPUTF8_VALUE = SmtpReply.of(501, "5.5.4", "SMTPUTF8 takes no value");
    // RFC 3461 4: a DSN parameter with a bad value is a syntax error in parameters (501)
    public static final SmtpReply BAD_RET = SmtpReply.of(501, "5.5.4", "Bad RET value; FULL or HDRS");
    public static final SmtpReply BAD_ENVID = SmtpReply.of(501, "5.5.4", "Bad ENVID value; xtext of at most 100 characters");
    public static final SmtpReply BAD_NOTIFY = SmtpReply.of(501, "5.5.4", "Bad NOTIFY value; NEVER, or SUCCESS, FAILURE, DELAY");
    public static final SmtpReply BAD_ORCPT = SmtpReply.of(501, "5.5.4", "Bad ORCPT value; addr-type;xtext of at most 500 characters");
    public static final SmtpReply RCPT_IN_BDAT = SmtpReply.of(503, "5.5.1", "Error: RCPT not allowed after BDAT");

    public static final SmtpReply NOT_AUTHORIZED = SmtpReply.of(550, "5.7.0", "Error: insufficient authorization");
    public static final SmtpReply IN_TRANSACTION = SmtpReply.of(503, "5.5.1", "Error: MAIL transaction in progress");
    public static final SmtpReply TOO_MANY_RECIPIENTS = SmtpReply.of(452, "4.5.3", "Error: too many recipients");
    public static final SmtpReply MESSAGE_TOO_BIG = SmtpReply.of(552, "5.3.4", "Error: message exceeds fixed maximum message size");
    public static final SmtpReply HEADER_TOO_BIG = SmtpReply.of(552, "5.3.4", "Error: message header block too large");
    public static final SmtpReply NEED_SMTPUTF8 = SmtpReply.of(553, "5.6.7", "Error: non-ASCII address requires SMTPUTF8");
    public static final SmtpReply SPOOL_FAILED = SmtpReply.of(451, "4.3.0", "Error: local problem storing the message, try again later");
    public static final SmtpReply TOO_MANY_ERRORS = SmtpReply.of(421, "4.7.0", "Too many errors; closing connection");
    public static final SmtpReply HOOK_FAILED_TRANSACTION = SmtpReply.of(451, "4.3.0", "Error: local problem, try again later");
    public static final SmtpReply HOOK_FAILED = SmtpReply.of(421, "4.3.0", "Error: local problem; closing connection");

    /** Google's XOAUTH2: the error challenge that precedes the refusal of a token. */
    public static final SmtpReply XOAUTH2_ERROR_CHALLENGE = saslChallenge("{\"status\":\"401\",\"schemes\":\"bearer\"}");

    /** HELP: the commands this configuration accepts. */
    public static SmtpReply help(boolean chunking, boolean startTls, boolean auth) {
        return SmtpReply.of(214, "2.0.0", "Commands: HELO EHLO MAIL RCPT DATA" + (chunking ? " BDAT" : "")
                + " RSET NOOP QUIT VRFY HELP" + (startTls ? " STARTTLS" : "") + (auth ? " AUTH" : ""));
    }

    /** A MAIL or RCPT parameter the server does not offer (RFC 5321 4.1.1.11). */
    public static SmtpReply unsupportedParameter(String keyword) {
        return SmtpReply.of(555, "5.5.4", "Unsupported parameter: " + keyword);
    }

    public static SmtpReply badSenderSyntax(String reason) {
        return SmtpReply.of(501, "5.1.7", "Bad sender address syntax: " + reason);
    }

    public static SmtpReply badRecipientSyntax(String reason) {
        return SmtpReply.of(501, "5.1.3", "Bad recipient address syntax: " + reason);
    }

    /** An XCLIENT or XFORWARD line its parser refused, with the parser's reason. */
    public static SmtpReply badProxyCommand(String reason) {
        return SmtpReply.of(501, "5.5.4", reason);
    }

    public static SmtpReply badAuthData(String reason) {
        return SmtpReply.of(501, "5.5.2", "Invalid authentication data: " + reason);
    }

    /** RFC 4954 4: a server challenge is 334 and the challenge in base64. */
    public static SmtpReply saslChallenge(String text) {
        return SmtpReply.of(334, Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)));
    }

    // ---------------------------------------------------------------- the transport's, before or around the protocol

    /** The server holds {@code maxConnections} already. */
    public static SmtpReply tooManyConnections(String hostname) {
        return SmtpReply.of(421, "4.7.0", hostname + " Too many connections, try again later").andClose();
    }

    /** The real client holds {@code maxConnectionsPerClient} already. */
    public static SmtpReply connectionRateExceeded(String hostname) {
        return SmtpReply.of(421, "4.7.0", hostname + " Too many connections from your address recently, try again later").andClose();
    }

    public static SmtpReply tooManyConnectionsFromClient(String hostname) {
        return SmtpReply.of(421, "4.7.0", hostname + " Too many connections from your address, try again later").andClose();
    }

    /** The command or data timeout, or the session deadline, ran out. */
    public static SmtpReply timeout(String hostname) {
        return SmtpReply.of(421, "4.4.2", hostname + " Error: timeout exceeded").andClose();
    }

    /** A graceful stop ran out of grace. */
    public static SmtpReply shuttingDown(String hostname) {
        return SmtpReply.of(421, "4.3.2", hostname + " Service shutting down").andClose();
    }
}
