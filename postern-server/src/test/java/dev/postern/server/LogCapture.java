package dev.postern.server;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/** Collects every log event while it is open. */
final class LogCapture implements AutoCloseable {

    final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    LogCapture() {
        appender.start();
        root.addAppender(appender);
    }

    List<ILoggingEvent> events() {
        // The appender adds under its own lock (AppenderBase.doAppend), from whichever thread logs.
        synchronized (appender) {
            return List.copyOf(appender.list);
        }
    }

    /** The formatted messages, without level, logger or time. */
    List<String> messages() {
        return events().stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    /** The events as the server's console appender writes them. */
    List<String> lines() {
        @SuppressWarnings("unchecked")
        ConsoleAppender<ILoggingEvent> console = (ConsoleAppender<ILoggingEvent>) root.getAppender("CONSOLE");
        return events().stream().map(e -> new String(console.getEncoder().encode(e), StandardCharsets.UTF_8)).toList();
    }

    /** Waits at most 5 seconds for an event whose message is {@code message}. */
    void await(String message) throws InterruptedException {
        await(message::equals, Duration.ofSeconds(5));
    }

    /**
     * Waits for a message that {@code wanted} accepts.
     *
     * @return the first such message
     * @throws AssertionError when none came within {@code timeout}, with the messages that did
     */
    String await(Predicate<String> wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (String m : messages()) {
                if (wanted.test(m)) {
                    return m;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no such log line within " + timeout + "; got:\n" + String.join("\n", messages()));
            }
            Thread.sleep(20);
        }
    }

    @Override
    public void close() {
        root.detachAppender(appender);
    }
}
