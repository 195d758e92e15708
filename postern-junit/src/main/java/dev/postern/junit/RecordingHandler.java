package dev.postern.junit;

import dev.postern.CommandDecision;
import dev.postern.DataProgress;
import dev.postern.ForwardPath;
import dev.postern.LogLevel;
import dev.postern.MailParameters;
import dev.postern.MessageHeaders;
import dev.postern.ReceivedMessage;
import dev.postern.RecipientReplies;
import dev.postern.ReversePath;
import dev.postern.SessionEvent;
import dev.postern.SmtpHandler;
import dev.postern.SmtpRejection;
import dev.postern.SmtpSession;
import dev.postern.auth.Credentials;
import dev.postern.proxy.ProxyInfo;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The test server's handler: the test's own rejections and users first, then the test's handler, and
 * every message the handler accepted into the {@link Inbox}.
 */
final class RecordingHandler implements SmtpHandler {

    record Rule<T>(Predicate<T> matches, SmtpRejection rejection) {
    }

    private final SmtpHandler delegate;
    private final List<Rule<String>> recipientRules;
    private final List<Rule<ReceivedMail>> messageRules;
    private final Map<String, String> users;
    private final Inbox inbox;
    private final boolean nonBlocking;

    RecordingHandler(SmtpHandler delegate, List<Rule<String>> recipientRules, List<Rule<ReceivedMail>> messageRules,
                     Map<String, String> users, Inbox inbox) {
        this.delegate = delegate;
        this.recipientRules = List.copyOf(recipientRules);
        this.messageRules = List.copyOf(messageRules);
        this.users = Map.copyOf(users);
        this.inbox = inbox;
        this.nonBlocking = delegate.isNonBlocking() || overridesNoHook(delegate);
    }

    /**
     * The server runs the hooks of a handler that overrides none, or declares itself non-blocking, on the
     * event loop; this wrapper overrides them all, so it says which case the test's handler is in (what
     * it adds itself only reads memory, or a spool file above the configured threshold).
     */
    private static boolean overridesNoHook(SmtpHandler handler) {
        for (Method m : SmtpHandler.class.getMethods()) {
            if (!m.isDefault() || m.getName().equals("isNonBlocking")) {
                continue;
            }
            try {
                if (handler.getClass().getMethod(m.getName(), m.getParameterTypes()).getDeclaringClass() != SmtpHandler.class) {
                    return false;
                }
            } catch (NoSuchMethodException e) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean isNonBlocking() {
        return nonBlocking;
    }

    @Override
    public void onConnect(SmtpSession session) {
        delegate.onConnect(session);
    }

    @Override
    public ProxyInfo onProxy(SmtpSession session, ProxyInfo proxy) {
        return delegate.onProxy(session, proxy);
    }

    @Override
    public CommandDecision onCommand(SmtpSession session, String commandLine) {
        return delegate.onCommand(session, commandLine);
    }

    @Override
    public void onSecure(SmtpSession session) {
        delegate.onSecure(session);
    }

    @Override
    public void onDisconnect(SmtpSession session) {
        delegate.onDisconnect(session);
    }

    @Override
    public String onAuth(SmtpSession session, Credentials credentials) {
        String password = users.get(credentials.username());
        if (password != null) {
            boolean valid = switch (credentials) {
                case Credentials.Password p -> p.password().equals(password);
                case Credentials.CramMd5 c -> c.verify(password);
                case Credentials.BearerToken t -> false;
            };
            if (valid) {
                return credentials.username();
            }
        }
        return delegate.onAuth(session, credentials);
    }

    @Override
    public void onHelo(SmtpSession session, String heloName) {
        delegate.onHelo(session, heloName);
    }

    @Override
    public ReversePath onMailFrom(SmtpSession session, ReversePath from, MailParameters parameters) {
        return delegate.onMailFrom(session, from, parameters);
    }

    @Override
    public ForwardPath onRcptTo(SmtpSession session, ForwardPath to, MailParameters parameters) {
        for (Rule<String> rule : recipientRules) {
            if (rule.matches().test(to.address())) {
                throw rule.rejection();
            }
        }
        return delegate.onRcptTo(session, to, parameters);
    }

    @Override
    public void onDataStart(SmtpSession session, MessageHeaders headers) {
        delegate.onDataStart(session, headers);
    }

    @Override
    public void onDataHeaders(SmtpSession session, MessageHeaders headers) {
        delegate.onDataHeaders(session, headers);
    }

    @Override
    public DataProgress onDataReceiving(SmtpSession session, long octetsSoFar) {
        return delegate.onDataReceiving(session, octetsSoFar);
    }

    @Override
    public void onMessage(SmtpSession session, ReceivedMessage message) throws Exception {
        ReceivedMail mail = checked(message);
        delegate.onMessage(session, message);
        inbox.add(mail);
    }

    /** On an LMTP listener: recorded once if the delegate took it for at least one recipient. */
    @Override
    public void onLmtpMessage(SmtpSession session, ReceivedMessage message, RecipientReplies replies) throws Exception {
        ReceivedMail mail = checked(message);
        delegate.onLmtpMessage(session, message, replies);
        if (replies.rejected() < replies.recipients().size()) {
            inbox.add(mail);
        }
    }

    /** The message as the test sees it, unless a rejection rule refuses it. */
    private ReceivedMail checked(ReceivedMessage message) throws java.io.IOException {
        ReceivedMail mail = new ReceivedMail(message.id(), message.envelope(), message.receivedAt(), message.headers(),
                message.readAllBytes());
        for (Rule<ReceivedMail> rule : messageRules) {
            if (rule.matches().test(mail)) {
                throw rule.rejection();
            }
        }
        return mail;
    }

    @Override
    public void onUnknownCommand(SmtpSession session, String commandLine) {
        delegate.onUnknownCommand(session, commandLine);
    }

    @Override
    public void onLogEvent(SmtpSession session, LogLevel level, String message, Throwable error) {
        delegate.onLogEvent(session, level, message, error);
    }

    @Override
    public void onSessionEvent(SmtpSession session, SessionEvent event) {
        delegate.onSessionEvent(session, event);
    }
}
