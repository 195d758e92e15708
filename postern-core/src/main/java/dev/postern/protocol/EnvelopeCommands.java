package dev.postern.protocol;

import dev.postern.ForwardPath;
import dev.postern.MailParameters;
import dev.postern.Recipient;
import dev.postern.ReversePath;
import dev.postern.SmtpReply;
import dev.postern.protocol.ProtocolContext.Phase;

/** MAIL and RCPT: the envelope of a mail transaction (RFC 5321 3.3, 4.1.1.2, 4.1.1.3). */
final class EnvelopeCommands {

    private final ProtocolContext ctx;
    private final StartTlsCommand startTls;

    EnvelopeCommands(ProtocolContext ctx, StartTlsCommand startTls) {
        this.ctx = ctx;
        this.startTls = startTls;
    }

    void mail(String args) {
        if (ctx.phase() != Phase.GREETED) {
            ctx.send(ctx.helloFirst());
            return;
        }
        if (startTls.requiredFirst()) {
            return;
        }
        if (ctx.config.auth().required() && ctx.session.authenticatedUser().isEmpty()) {
            ctx.send(Replies.AUTH_REQUIRED);
            return;
        }
        if (ctx.transaction() != null) {
            ctx.send(Replies.NESTED_MAIL);
            return;
        }
        if (!args.regionMatches(true, 0, "FROM:", 0, 5)) {
            ctx.send(Replies.MAIL_SYNTAX);
            return;
        }
        PathParser.Parsed<ReversePath> parsed;
        try {
            parsed = PathParser.parseReversePath(args.substring(5), ctx.config.pathSyntax());
        } catch (PathSyntaxException e) {
            ctx.send(Replies.badSenderSyntax(e.getMessage()));
            return;
        }
        MailParameters params = parsed.parameters();
        MailFromParameters.Accepted accepted;
        switch (MailFromParameters.check(params, ctx.session.isEsmtp(), ctx.config)) {
            case MailFromParameters.Refused refused -> {
                ctx.send(refused.reply());
                return;
            }
            case MailFromParameters.Accepted a -> accepted = a;
        }
        ReversePath from = parsed.path();
        if (!accepted.smtpUtf8() && from.mailbox() != null && from.mailbox().isInternationalized()) {
            ctx.send(Replies.NEED_SMTPUTF8);
            return;
        }
        String txId = ctx.nextTransactionId();
        ctx.session.transactionId(txId); // onMailFrom sees the id already
        try {
            ReversePath rewritten = ctx.handler.onMailFrom(ctx.session, from, params);
            if (rewritten != null) {
                from = rewritten;
            }
        } catch (Exception e) {
            ctx.session.transactionId(null);
            ctx.send(ctx.failure(e, "onMailFrom", true));
            return;
        }
        ctx.beginTransaction(new Transaction(txId, from, params, accepted));
        ctx.send(Replies.SENDER_OK);
    }

    void rcpt(String args) {
        if (ctx.phase() != Phase.GREETED) {
            ctx.send(ctx.helloFirst());
            return;
        }
        Transaction tx = ctx.transaction();
        if (tx == null) {
            ctx.send(Replies.MAIL_FIRST);
            return;
        }
        if (tx.chunking) {
            ctx.send(Replies.RCPT_IN_BDAT);
            return;
        }
        if (!args.regionMatches(true, 0, "TO:", 0, 3)) {
            ctx.send(Replies.RCPT_SYNTAX);
            return;
        }
        PathParser.Parsed<ForwardPath> parsed;
        try {
            parsed = PathParser.parseForwardPath(args.substring(3), ctx.config.pathSyntax());
        } catch (PathSyntaxException e) {
            ctx.send(Replies.badRecipientSyntax(e.getMessage()));
            return;
        }
        SmtpReply refused = DsnParameters.checkRcpt(parsed.parameters(), ctx.session.isEsmtp(), ctx.config);
        if (refused != null) {
            ctx.send(refused);
            return;
        }
        ForwardPath to = parsed.path();
        if (!tx.parameters.smtpUtf8() && to.mailbox() != null && to.mailbox().isInternationalized()) {
            ctx.send(Replies.NEED_SMTPUTF8);
            return;
        }
        if (tx.recipients.size() >= ctx.config.maxRecipients()) {
            ctx.send(Replies.TOO_MANY_RECIPIENTS);
            return;
        }
        try {
            ForwardPath rewritten = ctx.handler.onRcptTo(ctx.session, to, parsed.parameters());
            if (rewritten != null) {
                to = rewritten;
            }
        } catch (Exception e) {
            ctx.send(ctx.failure(e, "onRcptTo", true));
            return;
        }
        tx.recipients.add(new Recipient(to, parsed.parameters()));
        ctx.session.envelope(tx.envelope());
        ctx.send(Replies.RECIPIENT_OK);
    }
}
