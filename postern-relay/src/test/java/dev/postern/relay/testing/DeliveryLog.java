package dev.postern.relay.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.List;

/** Captures the client's delivery log lines (logger {@code dev.postern.relay.delivery}) during a test. */
public final class DeliveryLog implements AutoCloseable {

    private final Logger logger = (Logger) LoggerFactory.getLogger("dev.postern.relay.delivery");
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    public DeliveryLog() {
        appender.start();
        logger.addAppender(appender);
    }

    /** The lines logged so far. */
    public List<String> lines() {
        return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
    }
}
