package dev.postern.testing;

import dev.postern.CommandDecision;
import dev.postern.LogLevel;
import dev.postern.SmtpHandler;
import dev.postern.SmtpSession;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * What the hooks saw of each session, for the socket tests: its connection ("client-ip proxied=B secure=B",
 * the client being the one a PROXY header named), its commands, the sessions made secure, and the log lines
 * ("LEVEL message"). The hooks run where the test chooses: on the event loop when {@code nonBlocking}, else
 * on virtual threads. A test overrides the hooks it needs more of.
 */
public class SessionRecorder implements SmtpHandler {
    private final boolean nonBlocking;
    public final BlockingQueue<String> connects = new LinkedBlockingQueue<>();
    public final BlockingQueue<String> commands = new LinkedBlockingQueue<>();
    public final BlockingQueue<SmtpSession> secured = new LinkedBlockingQueue<>();
    public final BlockingQueue<String> log = new LinkedBlockingQueue<>();

    public SessionRecorder(boolean nonBlocking) {
        this.nonBlocking = nonBlocking;
    }

    @Override
    public boolean isNonBlocking() {
        return nonBlocking;
    }

    @Override
    public void onConnect(SmtpSession session) {
        connects.add(session.remoteAddress().getAddress().getHostAddress()
                + " proxied=" + session.isProxied() + " secure=" + session.isSecure());
    }

    @Override
    public CommandDecision onCommand(SmtpSession session, String line) {
        commands.add(line);
        return null;
    }

    @Override
    public void onSecure(SmtpSession session) {
        secured.add(session);
    }

    @Override
    public void onLogEvent(SmtpSession session, LogLevel level, String message, Throwable error) {
        log.add(level + " " + message);
    }

    /** The next element of one of the queues, waiting up to 10 s for it. */
    public <T> T next(BlockingQueue<T> queue) throws InterruptedException {
        T t = queue.poll(10, TimeUnit.SECONDS);
        if (t == null) {
            throw new AssertionError("nothing within 10 s");
        }
        return t;
    }
}
