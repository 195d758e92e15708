package dev.postern.protocol;

import dev.postern.CommandDecision;
import dev.postern.ForwardPath;
import dev.postern.LogLevel;
import dev.postern.MailParameters;
import dev.postern.Mailbox;
import dev.postern.MessageHeaders;
import dev.postern.ReceivedMessage;
import dev.postern.ReversePath;
import dev.postern.SmtpHandler;
import dev.postern.SmtpSession;
import dev.postern.auth.Credentials;
import dev.postern.proxy.ProxyInfo;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A handler for the state machine's edge tests (SmtpProtocolEdgeTest, ProtocolRulesEdgeTest): it records
 * the log lines ({@link #log}, as "LEVEL message") and the content hooks' calls ({@link #calls}), and each
 * hook with a field here throws what a test sets in it. RCPT TO:&lt;alias@example.org&gt; is rewritten to
 * real@example.org; everything else is accepted as the default hooks accept it.
 */
class HookRecorder implements SmtpHandler {
    final List<String> log = new ArrayList<>();
    final List<String> calls = new ArrayList<>();
    RuntimeException onCommand;
    RuntimeException onHelo;
    RuntimeException onAuth;
    RuntimeException onMail;
    RuntimeException onUnknown;
    RuntimeException onProxy;
    RuntimeException onDataStart;
    RuntimeException onDisconnect;

    private static void throwIfSet(RuntimeException failure) {
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public void onLogEvent(SmtpSession session, LogLevel level, String message, Throwable error) {
        log.add(level + " " + message);
    }

    @Override
    public CommandDecision onCommand(SmtpSession session, String line) {
        throwIfSet(onCommand);
        return null;
    }

    @Override
    public void onHelo(SmtpSession session, String name) {
        throwIfSet(onHelo);
    }

    @Override
    public String onAuth(SmtpSession session, Credentials credentials) {
        throwIfSet(onAuth);
        return null;
    }

    @Override
    public void onUnknownCommand(SmtpSession session, String line) {
        throwIfSet(onUnknown);
    }

    @Override
    public ReversePath onMailFrom(SmtpSession session, ReversePath from, MailParameters parameters) {
        throwIfSet(onMail);
        return null;
    }

    @Override
    public ForwardPath onRcptTo(SmtpSession session, ForwardPath to, MailParameters parameters) {
        return to.address().equals("alias@example.org") ? ForwardPath.of(new Mailbox("real", "example.org")) : null;
    }

    @Override
    public ProxyInfo onProxy(SmtpSession session, ProxyInfo info) {
        calls.add("proxy " + info.source());
        throwIfSet(onProxy);
        return null;
    }

    @Override
    public void onDataStart(SmtpSession session, MessageHeaders headers) {
        calls.add("dataStart");
        throwIfSet(onDataStart);
    }

    @Override
    public void onDataHeaders(SmtpSession session, MessageHeaders headers) {
        calls.add("headers " + headers.fields().size());
    }

    @Override
    public void onMessage(SmtpSession session, ReceivedMessage message) throws Exception {
        calls.add("message " + new String(message.readAllBytes(), StandardCharsets.UTF_8).strip());
    }

    @Override
    public void onDisconnect(SmtpSession session) {
        calls.add("disconnect");
        throwIfSet(onDisconnect);
    }
}
