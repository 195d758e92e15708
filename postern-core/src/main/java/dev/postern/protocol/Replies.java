package dev.postern.protocol;

import dev.postern.SmtpReply;

/** The fixed replies of the protocol, in one place (RFC 5321 4.2.2, RFC 3463 / RFC 5248 codes). */
final class Replies {

    private Replies() {
    }

    static final SmtpReply OK = SmtpReply.of(250, "2.0.0", "Ok");
    static final SmtpReply SENDER_OK = SmtpReply.of(250, "2.1.0", "Ok");
    static final SmtpReply RECIPIENT_OK = SmtpReply.of(250, "2.1.5", "Ok");
    static final SmtpReply START_DATA = SmtpReply.of(354, "End data with <CR><LF>.<CR><LF>");
    static final SmtpReply BYE = SmtpReply.of(221, "2.0.0", "Bye").andClose();
    static final SmtpReply VRFY = SmtpReply.of(252, "2.5.0", "Cannot VRFY user, but will accept message and attempt delivery");

    static final SmtpReply UNRECOGNIZED = SmtpReply.of(500, "5.5.2", "Command unrecognized");
    static final SmtpReply EMPTY_LINE = SmtpReply.of(500, "5.5.2", "Error: bad syntax");
    static final SmtpReply LINE_TOO_LONG = SmtpReply.of(500, "5.5.6", "Line too long");
    static final SmtpReply BAD_CHARACTER = SmtpReply.of(500, "5.5.2", "NUL or bare CR in command line");
    static final SmtpReply BAD_UTF8 = SmtpReply.of(500, "5.5.2", "Command line is not valid UTF-8");
    static final SmtpReply BARE_LF_COMMAND = SmtpReply.of(554, "5.5.2", "Bare LF in command line not allowed; closing connection").andClose();
    static final SmtpReply BARE_LINE_END_DATA = SmtpReply.of(554, "5.5.2", "Bare CR or LF in message data not allowed; closing connection").andClose();
    static final SmtpReply LINE_OVERFLOW = SmtpReply.of(421, "4.7.0", "Line too long without end; closing connection");
    static final SmtpReply READY_FOR_TLS = SmtpReply.of(220, "2.0.0", "Ready to start TLS");
    static final SmtpReply TLS_ACTIVE = SmtpReply.of(503, "5.5.1", "Error: TLS already active");
    static final SmtpReply TLS_REQUIRED = SmtpReply.of(530, "5.7.0", "Must issue a STARTTLS command first");
    static final SmtpReply AUTH_OK = SmtpReply.of(235, "2.7.0", "Authentication successful");
    static final SmtpReply AUTH_ALREADY = SmtpReply.of(503, "5.5.1", "Error: already authenticated");
    static final SmtpReply AUTH_SYNTAX = SmtpReply.of(501, "5.5.4", "Syntax: AUTH mechanism [initial-response]");
    static final SmtpReply AUTH_UNKNOWN_MECHANISM = SmtpReply.of(504, "5.5.4", "Unrecognized authentication type");
    static final SmtpReply AUTH_NEEDS_TLS = SmtpReply.of(538, "5.7.11", "Encryption required for requested authentication mechanism");
    static final SmtpReply AUTH_CANCELLED = SmtpReply.of(501, "5.0.0", "Authentication cancelled");
    static final SmtpReply AUTH_TEMPORARY_FAILURE = SmtpReply.of(454, "4.7.0", "Temporary authentication failure");
    static final SmtpReply AUTH_REQUIRED = SmtpReply.of(530, "5.7.0", "Authentication required");
    static final SmtpReply NOT_IMPLEMENTED = SmtpReply.of(502, "5.5.1", "Command not implemented");
    static final SmtpReply NO_PARAMETERS = SmtpReply.of(501, "5.5.4", "Syntax error: no parameters allowed");

    static final SmtpReply HELO_FIRST = SmtpReply.of(503, "5.5.1", "Error: send HELO/EHLO first");
    static final SmtpReply NESTED_MAIL = SmtpReply.of(503, "5.5.1", "Error: nested MAIL command");
    static final SmtpReply MAIL_FIRST = SmtpReply.of(503, "5.5.1", "Error: need MAIL command");
    static final SmtpReply RCPT_FIRST = SmtpReply.of(503, "5.5.1", "Error: need RCPT command");
    static final SmtpReply DATA_IN_BDAT = SmtpReply.of(503, "5.5.1", "Error: DATA not allowed after BDAT");
    static final SmtpReply PROXY_LATE = SmtpReply.of(503, "5.5.1", "Error: PROXY header not allowed here");
    static final SmtpReply PROXY_V2_UNTRUSTED = SmtpReply.of(554, "5.5.1", "Error: PROXY header not allowed from this address; closing connection").andClose();
    static final SmtpReply PIPELINING_OFF = SmtpReply.of(503, "5.5.0", "Error: PIPELINING not offered; wait for each reply");
    static final SmtpReply EARLY_TALKER = SmtpReply.of(554, "5.5.0", "Error: client sent data before the greeting; closing connection").andClose();

    static final SmtpReply HELO_SYNTAX = SmtpReply.of(501, "5.5.4", "Syntax: HELO/EHLO hostname");
    static final SmtpReply MAIL_SYNTAX = SmtpReply.of(501, "5.5.4", "Syntax: MAIL FROM:<address>");
    static final SmtpReply RCPT_SYNTAX = SmtpReply.of(501, "5.5.4", "Syntax: RCPT TO:<address>");
    static final SmtpReply VRFY_SYNTAX = SmtpReply.of(501, "5.5.4", "Syntax: VRFY address");
    static final SmtpReply BDAT_SYNTAX = SmtpReply.of(501, "5.5.4", "Syntax: BDAT size [LAST]");
    static final SmtpReply PARAMS_NEED_EHLO = SmtpReply.of(555, "5.5.4", "Parameters require EHLO");

    static final SmtpReply NOT_AUTHORIZED = SmtpReply.of(550, "5.7.0", "Error: insufficient authorization");
    static final SmtpReply IN_TRANSACTION = SmtpReply.of(503, "5.5.1", "Error: MAIL transaction in progress");
    static final SmtpReply TOO_MANY_RECIPIENTS = SmtpReply.of(452, "4.5.3", "Error: too many recipients");
    static final SmtpReply MESSAGE_TOO_BIG = SmtpReply.of(552, "5.3.4", "Error: message exceeds fixed maximum message size");
    static final SmtpReply HEADER_TOO_BIG = SmtpReply.of(552, "5.3.4", "Error: message header block too large");
    static final SmtpReply NEED_SMTPUTF8 = SmtpReply.of(553, "5.6.7", "Error: non-ASCII address requires SMTPUTF8");
    static final SmtpReply SPOOL_FAILED = SmtpReply.of(451, "4.3.0", "Error: local problem storing the message, try again later");
    static final SmtpReply TOO_MANY_ERRORS = SmtpReply.of(421, "4.7.0", "Too many errors; closing connection");
    static final SmtpReply HOOK_FAILED_TRANSACTION = SmtpReply.of(451, "4.3.0", "Error: local problem, try again later");
    static final SmtpReply HOOK_FAILED = SmtpReply.of(421, "4.3.0", "Error: local problem; closing connection");
}
