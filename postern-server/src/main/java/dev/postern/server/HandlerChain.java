package dev.postern.server;

import dev.postern.CommandDecision;
import dev.postern.DataProgress;
import dev.postern.ForwardPath;
import dev.postern.MailParameters;
import dev.postern.MessageHeaders;
import dev.postern.ReceivedMessage;
import dev.postern.RecipientReplies;
import dev.postern.ReversePath;
import dev.postern.SmtpHandler;
import dev.postern.SmtpSession;
import dev.postern.auth.Credentials;
import dev.postern.proxy.ProxyInfo;

import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Several handlers as one, in order: the plugins' (each decides on its hooks), then the delivery's (the
 * Maildir or the relay queue, which stores). A hook calls only the handlers that override it; a rejection
 * (or any exception) stops it there, as from a single handler. A hook that returns a value passes each
 * handler's result to the next ({@code null} keeps the value). {@code onAuth} and {@code onCommand} are
 * decided by the first handler that answers, {@code onUnknownCommand} by the first that overrides it;
 * {@code onDisconnect} reaches every handler even if one throws; on an LMTP listener each handler decides
 * per recipient or for all of them in turn. The log hooks ({@code onLogEvent},
 * {@code onSessionEvent}) are not chained: the server's log is the default one.
 */
final class HandlerChain implements SmtpHandler {

    /** Not hooks, or not chained: the log hooks keep their default, the server's log. */
    private static final Set<String> NOT_CHAINED = Set.of("isNonBlocking", "onLogEvent", "onSessionEvent");

    private final List<SmtpHandler> handlers;
    /** For each hook, the handlers that override it, in order. */
    private final Map<String, List<SmtpHandler>> byHook;
    private final boolean nonBlocking;

    HandlerChain(List<SmtpHandler> handlers) {
        this.handlers = List.copyOf(handlers);
        this.byHook = new HashMap<>();
        boolean allNonBlocking = true;
        for (Method hook : SmtpHandler.class.getMethods()) {
            if (hook.isDefault() && !NOT_CHAINED.contains(hook.getName())) {
                byHook.put(hook.getName(), this.handlers.stream().filter(h -> overrides(h, hook)).toList());
            }
        }
        for (SmtpHandler h : this.handlers) {
            boolean overridesAny = byHook.values().stream().anyMatch(list -> list.contains(h));
            allNonBlocking &= h.isNonBlocking() || !overridesAny;
        }
        this.nonBlocking = allNonBlocking;
    }

    private static boolean overrides(SmtpHandler handler, Method hook) {
        try {
            return handler.getClass().getMethod(hook.getName(), hook.getParameterTypes()).getDeclaringClass() != SmtpHandler.class;
        } catch (NoSuchMethodException e) {
            return true;
        }
    }

    List<SmtpHandler> handlers() {
        return handlers;
    }

    private List<SmtpHandler> on(String hook) {
        return byHook.get(hook);
    }

    private <T> T thread(String hook, T value, Function<SmtpHandler, Function<T, T>> call) {
        T current = value;
        for (SmtpHandler h : on(hook)) {
            T next = call.apply(h).apply(current);
            if (next != null) {
                current = next;
            }
        }
        return current;
    }

    @Override
    public void onConnect(SmtpSession session) {
        on("onConnect").forEach(h -> h.onConnect(session));
    }

    @Override
    public ProxyInfo onProxy(SmtpSession session, ProxyInfo proxy) {
        return thread("onProxy", proxy, h -> p -> h.onProxy(session, p));
    }

    @Override
    public CommandDecision onCommand(SmtpSession session, String commandLine) {
        String line = commandLine;
        for (SmtpHandler h : on("onCommand")) {
            CommandDecision decision = h.onCommand(session, line);
            if (decision == null || decision instanceof CommandDecision.Pass) {
                continue;
            }
            if (decision instanceof CommandDecision.Rewrite rewrite) {
                line = rewrite.commandLine();
                continue;
            }
            return decision;
        }
        return line.equals(commandLine) ? CommandDecision.pass() : CommandDecision.rewrite(line);
    }

    @Override
    public void onSecure(SmtpSession session) {
        on("onSecure").forEach(h -> h.onSecure(session));
    }

    @Override
    public void onDisconnect(SmtpSession session) {
        RuntimeException first = null;
        for (SmtpHandler h : on("onDisconnect")) {
            try {
                h.onDisconnect(session);
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public String onAuth(SmtpSession session, Credentials credentials) {
        List<SmtpHandler> deciders = on("onAuth");
        return deciders.isEmpty() ? SmtpHandler.super.onAuth(session, credentials) : deciders.get(0).onAuth(session, credentials);
    }

    @Override
    public void onHelo(SmtpSession session, String heloName) {
        on("onHelo").forEach(h -> h.onHelo(session, heloName));
    }

    @Override
    public ReversePath onMailFrom(SmtpSession session, ReversePath from, MailParameters parameters) {
        return thread("onMailFrom", from, h -> f -> h.onMailFrom(session, f, parameters));
    }

    @Override
    public ForwardPath onRcptTo(SmtpSession session, ForwardPath to, MailParameters parameters) {
        return thread("onRcptTo", to, h -> t -> h.onRcptTo(session, t, parameters));
    }

    @Override
    public void onDataStart(SmtpSession session, MessageHeaders headers) {
        on("onDataStart").forEach(h -> h.onDataStart(session, headers));
    }

    @Override
    public void onDataHeaders(SmtpSession session, MessageHeaders headers) {
        on("onDataHeaders").forEach(h -> h.onDataHeaders(session, headers));
    }

    /** The first rejection wins; otherwise the longest tarpit any handler asks for; otherwise continue. */
    @Override
    public DataProgress onDataReceiving(SmtpSession session, long octetsSoFar) {
        DataProgress.Tarpit longest = null;
        for (SmtpHandler h : on("onDataReceiving")) {
            DataProgress progress = h.onDataReceiving(session, octetsSoFar);
            if (progress instanceof DataProgress.Reject) {
                return progress;
            }
            if (progress instanceof DataProgress.Tarpit tarpit
                    && (longest == null || tarpit.delay().compareTo(longest.delay()) > 0)) {
                longest = tarpit;
            }
        }
        return longest != null ? longest : DataProgress.CONTINUE;
    }

    @Override
    public void onMessage(SmtpSession session, ReceivedMessage message) throws Exception {
        for (SmtpHandler h : on("onMessage")) {
            h.onMessage(session, message);
        }
    }

    /**
     * LMTP: each handler in order decides per recipient (its onLmtpMessage), or for all of them (its onMessage);
     * once every recipient is refused, the handlers after (the delivery) are not called.
     */
    @Override
    public void onLmtpMessage(SmtpSession session, ReceivedMessage message, RecipientReplies replies) throws Exception {
        List<SmtpHandler> perRecipient = on("onLmtpMessage");
        List<SmtpHandler> whole = on("onMessage");
        for (SmtpHandler h : handlers) {
            if (replies.rejected() == replies.recipients().size()) {
                return;
            }
            if (perRecipient.contains(h)) {
                h.onLmtpMessage(session, message, replies);
            } else if (whole.contains(h)) {
                h.onMessage(session, message);
            }
        }
    }

    @Override
    public void onUnknownCommand(SmtpSession session, String commandLine) {
        List<SmtpHandler> deciders = on("onUnknownCommand");
        if (deciders.isEmpty()) {
            SmtpHandler.super.onUnknownCommand(session, commandLine);
        } else {
            deciders.get(0).onUnknownCommand(session, commandLine);
        }
    }

    @Override
    public boolean isNonBlocking() {
        return nonBlocking;
    }

    @Override
    public String toString() {
        return handlers.stream().map(h -> h.getClass().getName()).collect(Collectors.joining(" -> "));
    }
}
