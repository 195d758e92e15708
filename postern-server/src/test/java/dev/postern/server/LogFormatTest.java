package dev.postern.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The console format of logback.xml: one line per event, whatever the event carries. */
class LogFormatTest {

    private static String format(Level level, String message, Throwable error) {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        @SuppressWarnings("unchecked")
        ConsoleAppender<ILoggingEvent> console = (ConsoleAppender<ILoggingEvent>) root.getAppender("CONSOLE");
        Logger session = (Logger) LoggerFactory.getLogger("dev.postern.session");
        LoggingEvent event = new LoggingEvent(Logger.FQCN, session, level, message, error, null);
        return new String(console.getEncoder().encode(event), StandardCharsets.UTF_8);
    }

    @Test
    void plainEventIsOneLine() {
        assertThat(format(Level.INFO, "[S1] connect from 192.0.2.7:40000", null))
                .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) INFO  session - "
                        + "\\[S1\\] connect from 192\\.0\\.2\\.7:40000\n");
    }

    @Test
    void exceptionGoesOnTheSameLine() {
        Exception error = new UncheckedIOException("spool", new IOException("disk full"));
        String line = format(Level.ERROR, "[S1] onMessage failed", error);
        assertThat(line).contains("ERROR session - [S1] onMessage failed java.io.UncheckedIOException: spool at ")
                .contains(LogFormatTest.class.getName())
                .endsWith(")\n");
        assertThat(line.indexOf('\n')).isEqualTo(line.length() - 1);
        assertThat(line).doesNotContain("\r", "\t");
    }
}
