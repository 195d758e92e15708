package dev.postern;

/** One accepted recipient: its (possibly rewritten) forward path and its RCPT parameters. */
public record Recipient(ForwardPath path, MailParameters parameters) {
}
