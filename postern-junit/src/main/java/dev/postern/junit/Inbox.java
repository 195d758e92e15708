package dev.postern.junit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** The messages one server accepted, with a wait that wakes on each arrival (no polling, no fixed sleep). */
final class Inbox {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final List<ReceivedMail> mails = new ArrayList<>();

    void add(ReceivedMail mail) {
        lock.lock();
        try {
            mails.add(mail);
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    List<ReceivedMail> snapshot() {
        lock.lock();
        try {
            return List.copyOf(mails);
        } finally {
            lock.unlock();
        }
    }

    void clear() {
        lock.lock();
        try {
            mails.clear();
        } finally {
            lock.unlock();
        }
    }

    /** Every message so far, once there are at least {@code count}; an AssertionError naming what came after {@code timeout}. */
    List<ReceivedMail> await(int count, Duration timeout) throws InterruptedException {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative, got " + count);
        }
        long left = timeout.toNanos();
        lock.lock();
        try {
            while (mails.size() < count) {
                if (left <= 0) {
                    throw new AssertionError("expected " + count + " message(s) within " + timeout + ", got "
                            + mails.size() + (mails.isEmpty() ? "" : ": " + mails));
                }
                left = arrived.awaitNanos(left);
            }
            return List.copyOf(mails);
        } finally {
            lock.unlock();
        }
    }
}
