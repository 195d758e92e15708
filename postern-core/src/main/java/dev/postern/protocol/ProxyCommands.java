package dev.postern.protocol;

import dev.postern.LogLevel;
import dev.postern.protocol.ProtocolContext.Phase;
import dev.postern.proxy.internal.XclientCommand;
import dev.postern.proxy.internal.XforwardCommand;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * XCLIENT and XFORWARD (Postfix XCLIENT_README, XFORWARD_README): an SMTP-level proxy that the
 * configuration authorizes names the real client.
 */
final class ProxyCommands {

    private final ProtocolContext ctx;
    private boolean xclientAllowed;
    private boolean xforwardAllowed;

    ProxyCommands(ProtocolContext ctx) {
        this.ctx = ctx;
    }

    /** The client's identity is settled (after PROXY, or after XCLIENT): decides what it may send here. */
    void authorize(InetAddress client) {
        xclientAllowed = ctx.config.xclientHosts().matches(client);
        xforwardAllowed = ctx.config.xforwardHosts().matches(client);
    }

    boolean xclientAllowed() {
        return xclientAllowed;
    }

    boolean xforwardAllowed() {
        return xforwardAllowed;
    }

    /**
     * XCLIENT: the named client replaces the connecting one. Returns true when it did: the session has
     * started over, and the caller greets the new client as if it had just connected.
     */
    boolean xclient(String args) {
        XclientCommand x = parse(xclientAllowed, args, XclientCommand::parse);
        if (x == null) {
            return false;
        }
        SessionState session = ctx.session;
        InetSocketAddress remote = session.remoteAddress();
        InetSocketAddress local = session.localAddress();
        InetAddress addr = x.addr().orElse(remote.getAddress());
        int port = x.port().orElse(remote.getPort());
        InetAddress destAddr = x.destAddr().orElse(local.getAddress());
        int destPort = x.destPort().orElse(local.getPort());
        var has = x.attributes();
        session.xclient(new InetSocketAddress(addr, port), new InetSocketAddress(destAddr, destPort),
                x.name().orElse(null), has.contains(XclientCommand.Attribute.NAME),
                x.helo().orElse(null),
                x.proto().map(p -> p == XclientCommand.Protocol.ESMTP).orElse(null),
                has.contains(XclientCommand.Attribute.LOGIN) ? x.login().orElse("") : null);
        ctx.log(LogLevel.INFO, "xclient", "XCLIENT from " + session.socketRemoteAddress() + ": client is now " + session.remoteAddress(), null);
        ctx.endTransaction();
        ctx.phase(Phase.CONNECTED);
        return true;
    }

    /** XFORWARD: who the original client was, for logs and hooks, until the end of the next transaction. */
    void xforward(String args) {
        XforwardCommand x = parse(xforwardAllowed, args, XforwardCommand::parse);
        if (x == null) {
            return;
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (XforwardCommand.Attribute a : x.attributes()) {
            String v = switch (a) {
                case NAME -> x.name().orElse("");
                case ADDR -> x.addr().orElse("");
                case PORT -> x.port().isPresent() ? String.valueOf(x.port().getAsInt()) : "";
                case PROTO -> x.proto().orElse("");
                case HELO -> x.helo().orElse("");
                case IDENT -> x.ident().orElse("");
                case SOURCE -> x.source().map(Enum::name).orElse("");
            };
            values.put(a.name(), v);
        }
        ctx.session.xforward(values);
        ctx.send(Replies.OK);
    }

    /**
     * The common gate of XCLIENT and XFORWARD: only from authorized clients, never inside a transaction;
     * returns the parsed command, or null after sending the refusal.
     */
    private <T> T parse(boolean allowed, String args, Function<String, T> parser) {
        if (!allowed) {
            ctx.send(Replies.NOT_AUTHORIZED);
            return null;
        }
        if (ctx.transaction() != null) {
            ctx.send(Replies.IN_TRANSACTION);
            return null;
        }
        try {
            return parser.apply(args);
        } catch (IllegalArgumentException e) {
            ctx.send(Replies.badProxyCommand(e.getMessage()));
            return null;
        }
    }
}
