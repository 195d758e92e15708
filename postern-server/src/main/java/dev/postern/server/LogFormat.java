package dev.postern.server;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import org.slf4j.LoggerFactory;

import java.net.URL;
import java.util.Locale;

/**
 * The {@code --log-format} of {@code postern serve}: {@code text}, one line per event as
 * {@code logback.xml} writes it (the default), or {@code json}, one JSON object per line with the
 * event's SLF4J key-value pairs as fields ({@code logback-json.xml}, logstash-logback-encoder): time,
 * level, logger, message, {@code event}, {@code session}, {@code client}, {@code proxy}, {@code tls},
 * {@code user}, {@code message_id}, {@code octets}, {@code reply}, ... for log shippers.
 */
enum LogFormat {
    TEXT("logback.xml"), JSON("logback-json.xml");

    private final String configuration;

    LogFormat(String configuration) {
        this.configuration = configuration;
    }

    static LogFormat parse(String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "text" -> TEXT;
            case "json" -> JSON;
            default -> throw new IllegalArgumentException("'" + value + "' is not one of text, json");
        };
    }

    /**
     * Sets up Logback for this format, in place of the start-up configuration; the log level is set
     * afterwards ({@link LogThreshold#apply()}). Text is what Logback already has at start, so it
     * changes nothing.
     */
    void apply() {
        if (this == TEXT || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        configure(context, configuration);
    }

    /** Replaces the whole Logback configuration with the resource {@code name}. */
    static void configure(LoggerContext context, String name) {
        URL resource = LogFormat.class.getClassLoader().getResource(name);
        if (resource == null) {
            throw new IllegalStateException("no " + name + " on the class path");
        }
        context.reset();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        try {
            configurator.doConfigure(resource);
        } catch (JoranException e) {
            throw new IllegalStateException("cannot configure logging from " + resource + ": " + e.getMessage(), e);
        }
    }
}
