package dev.postern.protocol;

import dev.postern.LogLevel;
import dev.postern.protocol.ProtocolContext.Phase;
import dev.postern.protocol.SmtpProtocol.ReplySink;
import dev.postern.tls.StartTlsMode;
import dev.postern.tls.TlsInfo;

/** STARTTLS (RFC 3207): a 220 in clear, then the transport's handshake, and the session starts over. */
final class StartTlsCommand {

    private final ProtocolContext ctx;
    private final ReplySink out;
    private boolean pending; // accepted, handshake not done: what arrives is plaintext to discard

    StartTlsCommand(ProtocolContext ctx, ReplySink out) {
        this.ctx = ctx;
        this.out = out;
    }

    /** STARTTLS was accepted and the handshake is not done: input is plaintext to discard (RFC 3207 5). */
    boolean isPending() {
        return pending;
    }

    void startTls(String args) {
        if (!ctx.config.offersStartTls()) {
            ctx.send(Replies.NOT_IMPLEMENTED);
        } else if (!args.isBlank()) {
            ctx.send(Replies.NO_PARAMETERS);
        } else if (ctx.session.isSecure()) {
            ctx.send(Replies.TLS_ACTIVE);
        } else if (ctx.transaction() != null) {
            ctx.send(Replies.IN_TRANSACTION);
        } else {
            ctx.send(Replies.READY_FOR_TLS);
            pending = true;
            out.startTls();
        }
    }

    /**
     * The handshake is done (implicit TLS before the greeting, or after STARTTLS): records it, runs
     * onSecure, and after STARTTLS forgets what the client said in clear (RFC 3207 4.2) so that it must
     * EHLO again.
     */
    void established(TlsInfo info) {
        boolean afterStartTls = pending;
        pending = false;
        ctx.session.tls(info);
        ctx.log(LogLevel.INFO, "tls", (afterStartTls ? "STARTTLS: " : "TLS: ") + info, null);
        if (afterStartTls) {
            ctx.endTransaction();
            ctx.session.forgetHelo();
            ctx.session.authenticatedUser(null); // RFC 3207 4.2: nothing learned in clear counts, AUTH included
            ctx.phase(Phase.READY);
        }
        try {
            ctx.handler.onSecure(ctx.session);
        } catch (Exception e) {
            ctx.send(ctx.failure(e, "onSecure", false).andClose());
        }
    }

    /** RFC 3207 4: with STARTTLS required, a plain session may not start mail (or authenticate). */
    boolean requiredFirst() {
        if (ctx.config.startTls() == StartTlsMode.REQUIRED && !ctx.session.isSecure()) {
            ctx.send(Replies.TLS_REQUIRED);
            return true;
        }
        return false;
    }
}
