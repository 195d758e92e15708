package dev.postern.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

class LogThresholdTest {

    private static Level effective(String logger) {
        return ((Logger) LoggerFactory.getLogger(logger)).getEffectiveLevel();
    }

    @AfterEach
    void backToTheDefault() {
        LogThreshold.INFO.apply();
    }

    @Test
    void warnKeepsOnlyProblemsButTheStartAndStopLines() {
        LogThreshold.WARN.apply();
        assertThat(effective("dev.postern.session")).isEqualTo(Level.WARN);
        assertThat(effective(MaildirStore.class.getName())).isEqualTo(Level.WARN);
        assertThat(effective(StandaloneServer.class.getName())).isEqualTo(Level.INFO);
        assertThat(effective("io.netty.channel")).isEqualTo(Level.WARN);
    }

    @Test
    void debugAndOffApplyToEveryLoggerButNetty() {
        LogThreshold.DEBUG.apply();
        assertThat(effective("dev.postern.session")).isEqualTo(Level.DEBUG);
        assertThat(effective(StandaloneServer.class.getName())).isEqualTo(Level.DEBUG);
        assertThat(effective("io.netty.channel")).isEqualTo(Level.WARN);
        LogThreshold.OFF.apply();
        assertThat(effective("dev.postern.session")).isEqualTo(Level.OFF);
        assertThat(effective(StandaloneServer.class.getName())).isEqualTo(Level.OFF);
    }
}
