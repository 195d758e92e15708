package dev.postern;

/** Severity of a session log event passed to {@link SmtpHandler#onLogEvent}. */
public enum LogLevel {
    DEBUG, INFO, WARN, ERROR
}
