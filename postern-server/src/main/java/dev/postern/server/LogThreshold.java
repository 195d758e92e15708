package dev.postern.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code --log-level} of {@code postern serve}: the least severe event that is written. At INFO a
 * session writes about three lines (connect, each message, disconnect); WARN keeps only problems,
 * which is what a load test wants. Whatever the level but OFF, the server's own start and stop lines
 * are written, so that a quiet server still says where it listens.
 */
enum LogThreshold {
    ERROR(Level.ERROR), WARN(Level.WARN), INFO(Level.INFO), DEBUG(Level.DEBUG), OFF(Level.OFF);

    private final Level level;

    LogThreshold(Level level) {
        this.level = level;
    }

    /** Sets the threshold of every logger that has none of its own (Netty's stays at WARN). */
    void apply() {
        if (LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof Logger root) {
            root.setLevel(level);
        }
        if (LoggerFactory.getLogger(StandaloneServer.class) instanceof Logger startAndStop) {
            startAndStop.setLevel(this != OFF && level.isGreaterOrEqual(Level.WARN) ? Level.INFO : null);
        }
    }
}
