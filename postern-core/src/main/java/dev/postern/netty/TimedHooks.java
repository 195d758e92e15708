package dev.postern.netty;

import dev.postern.CommandDecision;
import dev.postern.DataProgress;
import dev.postern.ForwardPath;
import dev.postern.Listener;
import dev.postern.LogLevel;
import dev.postern.MailParameters;
import dev.postern.MessageHeaders;
import dev.postern.ReceivedMessage;
import dev.postern.RecipientReplies;
import dev.postern.ReversePath;
import dev.postern.SessionEvent;
import dev.postern.SessionObserver;
import dev.postern.SmtpHandler;
import dev.postern.SmtpSession;
import dev.postern.auth.Credentials;
import dev.postern.proxy.ProxyInfo;

import java.time.Duration;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The application's handler as one session sees it when someone observes the server: every hook the
 * handler overrides is timed and reported to the {@link SessionObserver} with the session's listener; the
 * others, and the log hooks, pass straight through. Threading is decided on the application's own
 * handler ({@link HookMode}), never on this wrapper.
 */
final class TimedHooks implements SmtpHandler {

    private final SmtpHandler handler;
    /** The hooks the handler overrides: the only ones worth a measurement. */
    private final Set<String> timed;
    private final SessionObserver observer;
    private final Listener listener;

    TimedHooks(SmtpHandler handler, Set<String> timed, SessionObserver observer, Listener listener) {
        this.handler = handler;
        this.timed = timed;
        this.observer = observer;
        this.listener = listener;
    }

    private <T> T time(String hook, SmtpSession session, Supplier<T> call) {
        if (!timed.contains(hook)) {
            return call.get();
        }
        long start = System.nanoTime();
        boolean threw = true;
        try {
            T result = call.get();
            threw = false;
            return result;
        } finally {
            report(hook, session, start, threw);
        }
    }

    private void time(String hook, SmtpSession session, Runnable call) {
        time(hook, session, () -> {
            call.run();
            return null;
        });
    }

    private void report(String hook, SmtpSession session, long start, boolean threw) {
        observer.hookCompleted(listener, session, hook, Duration.ofNanos(System.nanoTime() - start), threw);
    }

    @Override
    public void onConnect(SmtpSession session) {
        time("onConnect", session, () -> handler.onConnect(session));
    }

    @Override
    public ProxyInfo onProxy(SmtpSession session, ProxyInfo proxy) {
        return time("onProxy", session, () -> handler.onProxy(session, proxy));
    }

    @Override
    public CommandDecision onCommand(SmtpSession session, String commandLine) {
        return time("onCommand", session, () -> handler.onCommand(session, commandLine));
    }

    @Override
    public void onSecure(SmtpSession session) {
        time("onSecure", session, () -> handler.onSecure(session));
    }

    @Override
    public void onDisconnect(SmtpSession session) {
        time("onDisconnect", session, () -> handler.onDisconnect(session));
    }

    @Override
    public String onAuth(SmtpSession session, Credentials credentials) {
        return time("onAuth", session, () -> handler.onAuth(session, credentials));
    }

    @Override
    public void onHelo(SmtpSession session, String heloName) {
        time("onHelo", session, () -> handler.onHelo(session, heloName));
    }

    @Override
    public ReversePath onMailFrom(SmtpSession session, ReversePath from, MailParameters parameters) {
        return time("onMailFrom", session, () -> handler.onMailFrom(session, from, parameters));
    }

    @Override
    public ForwardPath onRcptTo(SmtpSession session, ForwardPath to, MailParameters parameters) {
        return time("onRcptTo", session, () -> handler.onRcptTo(session, to, parameters));
    }

    @Override
    public void onDataStart(SmtpSession session, MessageHeaders headers) {
        time("onDataStart", session, () -> handler.onDataStart(session, headers));
    }

    @Override
    public void onDataHeaders(SmtpSession session, MessageHeaders headers) {
        time("onDataHeaders", session, () -> handler.onDataHeaders(session, headers));
    }

    @Override
    public void onMessage(SmtpSession session, ReceivedMessage message) throws Exception {
        if (!timed.contains("onMessage")) {
            handler.onMessage(session, message);
            return;
        }
        long start = System.nanoTime();
        boolean threw = true;
        try {
            handler.onMessage(session, message);
            threw = false;
        } finally {
            report("onMessage", session, start, threw);
        }
    }

    @Override
    public void onLmtpMessage(SmtpSession session, ReceivedMessage message, RecipientReplies replies) throws Exception {
        if (!timed.contains("onLmtpMessage")) {
            onMessage(session, message); // the handler's default would call its onMessage: time it as that
            return;
        }
        long start = System.nanoTime();
        boolean threw = true;
        try {
            handler.onLmtpMessage(session, message, replies);
            threw = false;
        } finally {
            report("onLmtpMessage", session, start, threw);
        }
    }

    @Override
    public DataProgress onDataReceiving(SmtpSession session, long octetsSoFar) {
        return time("onDataReceiving", session, () -> handler.onDataReceiving(session, octetsSoFar));
    }

    @Override
    public void onUnknownCommand(SmtpSession session, String commandLine) {
        time("onUnknownCommand", session, () -> handler.onUnknownCommand(session, commandLine));
    }

    @Override
    public void onLogEvent(SmtpSession session, LogLevel level, String message, Throwable error) {
        handler.onLogEvent(session, level, message, error);
    }

    @Override
    public void onSessionEvent(SmtpSession session, SessionEvent event) {
        handler.onSessionEvent(session, event);
    }

    @Override
    public boolean isNonBlocking() {
        return handler.isNonBlocking();
    }
}
