package dev.postern.protocol;

import dev.postern.LogLevel;
import dev.postern.SmtpReply;
import dev.postern.SmtpServerConfig;
import dev.postern.auth.AuthMechanism;
import dev.postern.protocol.ProtocolContext.Phase;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The session itself (RFC 5321 4.1.1, 4.3.1): the greeting, HELO and EHLO with the extensions they
 * advertise, and the commands that need no transaction: RSET, NOOP, QUIT, VRFY, HELP, the ones not
 * implemented, and the unrecognized.
 */
final class SessionCommands {

    private final ProtocolContext ctx;
    private final AuthCommand auth;
    private final ProxyCommands proxy;

    SessionCommands(ProtocolContext ctx, AuthCommand auth, ProxyCommands proxy) {
        this.ctx = ctx;
        this.auth = auth;
        this.proxy = proxy;
    }

    /**
     * The client is known (the connection, after PROXY, or after XCLIENT): decides by its real address what
     * it may do and whether its session is logged, runs onConnect and sends the greeting or the hook's
     * rejection.
     */
    void connect() {
        SessionState session = ctx.session;
        InetAddress client = session.remoteAddress().getAddress();
        proxy.authorize(client);
        session.quiet(ctx.config.ignoredHosts().matches(client));
        ctx.log(LogLevel.INFO, "connect", "connect from " + format(session.remoteAddress())
                + (session.isProxied() ? " via " + format(session.socketRemoteAddress()) : ""), null);
        try {
            ctx.handler.onConnect(session);
        } catch (Exception e) {
            SmtpReply r = ctx.failure(e, "onConnect", false);
            ctx.send(r.andClose());
            return;
        }
        ctx.phase(Phase.READY);
        ctx.send(new SmtpReply(220, null, List.of(session.greeting()), false));
    }

    void helo(String args, boolean extended) {
        String name = args.strip();
        if (name.isEmpty() || name.indexOf(' ') >= 0 || name.indexOf('\t') >= 0) {
            ctx.send(Replies.HELO_SYNTAX);
            return;
        }
        try {
            ctx.handler.onHelo(ctx.session, name);
        } catch (Exception e) {
            ctx.send(ctx.failure(e, "onHelo", false));
            return;
        }
        ctx.endTransaction(); // RFC 5321 4.1.4: EHLO / HELO reset the state
        ctx.session.helo(name, extended);
        ctx.phase(Phase.GREETED);
        if (!extended) {
            ctx.send(SmtpReply.of(250, ctx.session.heloResponse()));
            return;
        }
        ctx.send(new SmtpReply(250, null, ehloLines(), false));
    }

    /** The EHLO reply: the greeting line, then a keyword for each extension offered (RFC 5321 4.1.1.1). */
    private List<String> ehloLines() {
        SmtpServerConfig.Extensions ext = ctx.ext;
        List<String> lines = new ArrayList<>(8);
        lines.add(ctx.session.heloResponse());
        if (ext.size()) {
            lines.add("SIZE " + ctx.config.maxMessageSize());
        }
        if (ext.eightBitMime()) {
            lines.add("8BITMIME");
        }
        if (ext.smtpUtf8()) {
            lines.add("SMTPUTF8");
        }
        if (ext.pipelining()) {
            lines.add("PIPELINING");
        }
        if (ext.enhancedStatusCodes()) {
            lines.add("ENHANCEDSTATUSCODES");
        }
        if (ext.chunking()) {
            lines.add("CHUNKING");
        }
        if (ctx.config.offersStartTls() && !ctx.session.isSecure()) {
            lines.add("STARTTLS");
        }
        if (auth.isOffered()) {
            StringBuilder keyword = new StringBuilder("AUTH");
            for (AuthMechanism m : ctx.config.auth().mechanisms()) {
                keyword.append(' ').append(m.wireName());
            }
            lines.add(keyword.toString());
        }
        if (proxy.xclientAllowed()) {
            lines.add("XCLIENT NAME ADDR PORT PROTO HELO LOGIN DESTADDR DESTPORT");
        }
        if (proxy.xforwardAllowed()) {
            lines.add("XFORWARD NAME ADDR PORT PROTO HELO IDENT SOURCE");
        }
        return lines;
    }

    void rset(String args) {
        if (!args.isBlank()) {
            ctx.send(Replies.NO_PARAMETERS);
        } else {
            ctx.endTransaction();
            ctx.send(Replies.OK);
        }
    }

    void noop() {
        ctx.send(Replies.OK);
    }

    void quit() {
        ctx.send(Replies.BYE);
    }

    /** RFC 5321 3.5.3: a 252 says neither yes nor no, so VRFY reveals no mailbox. */
    void vrfy(String args) {
        ctx.send(args.isBlank() ? Replies.VRFY_SYNTAX : Replies.VRFY);
    }

    void help() {
        ctx.send(Replies.help(ctx.ext.chunking(), ctx.config.offersStartTls(), ctx.config.auth().enabled()));
    }

    /** EXPN, ETRN, TURN: known, never offered (RFC 5321 4.2.4: 502). */
    void notImplemented() {
        ctx.send(Replies.NOT_IMPLEMENTED);
    }

    void emptyLine() {
        ctx.send(Replies.EMPTY_LINE);
    }

    /** A verb the server does not know (RFC 5321 4.2.4: 500); the hook may end the session. */
    void unknown(String line) {
        ctx.session.countUnknownCommand();
        try {
            ctx.handler.onUnknownCommand(ctx.session, line);
            ctx.send(Replies.UNRECOGNIZED);
        } catch (Exception e) {
            ctx.send(ctx.failure(e, "onUnknownCommand", ctx.transaction() != null));
        }
    }

    private static String format(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }
}
