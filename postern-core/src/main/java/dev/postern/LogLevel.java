package dev.postern;

/** Severity of a session log event passed to {@link SmtpHandler#onLogEvent}. */
public enum LogLevel {
    /** Diagnostics: the addresses bound at start, connection-level I/O errors. */
    DEBUG,
    /** The normal course of a session: connect, TLS, AUTH, rejections, accepted messages, timeouts, disconnect. */
    INFO,
    /**
     * Something the server handled but someone should look at: refused connections, bad or unexpected
     * PROXY headers, too many errors, a risky trust setting, a failed {@code onDisconnect}.
     */
    WARN,
    /** A local failure: a hook threw, a message could not be spooled, a session broke unexpectedly. */
    ERROR
}
