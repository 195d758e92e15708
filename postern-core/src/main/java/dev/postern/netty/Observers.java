package dev.postern.netty;

import dev.postern.Listener;
import dev.postern.SessionObserver;
import dev.postern.SmtpReply;
import dev.postern.SmtpSession;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The server's {@link SessionObserver}s as one: each call goes to every observer, and an observer that
 * throws is skipped (measuring must never change what a client sees). {@link #isEmpty()} lets the
 * transport skip the measuring itself when nobody listens.
 */
final class Observers implements SessionObserver {

    private final List<SessionObserver> observers = new CopyOnWriteArrayList<>();

    Observers(List<SessionObserver> initial) {
        for (SessionObserver observer : initial) {
            add(observer);
        }
    }

    void add(SessionObserver observer) {
        observers.add(Objects.requireNonNull(observer, "observer"));
    }

    boolean remove(SessionObserver observer) {
        return observers.remove(observer);
    }

    boolean isEmpty() {
        return observers.isEmpty();
    }

    @Override
    public void sessionClosed(Listener listener, SmtpSession session, Duration duration) {
        each(o -> o.sessionClosed(listener, session, duration));
    }

    @Override
    public void messageReplied(Listener listener, SmtpSession session, long octets, SmtpReply reply, Duration sinceEndOfData) {
        each(o -> o.messageReplied(listener, session, octets, reply, sinceEndOfData));
    }

    @Override
    public void hookCompleted(Listener listener, SmtpSession session, String hook, Duration duration, boolean threw) {
        each(o -> o.hookCompleted(listener, session, hook, duration, threw));
    }

    private void each(Consumer<SessionObserver> call) {
        for (SessionObserver o : observers) {
            try {
                call.accept(o);
            } catch (RuntimeException ignored) {
                // a broken observer must not break the session
            }
        }
    }
}
