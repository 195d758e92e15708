package dev.postern;

/**
 * One accepted recipient: its (possibly rewritten) forward path and its RCPT parameters.
 *
 * @param path       the forward path, as {@link SmtpHandler#onRcptTo} left it
 * @param parameters the RCPT command's ESMTP parameters; {@link MailParameters#NONE} when none were given
 */
public record Recipient(ForwardPath path, MailParameters parameters) {
}
