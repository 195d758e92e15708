package dev.postern;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.postern.testing.RawSmtpClient;
import dev.postern.testing.TestServer;
import dev.postern.testing.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Structured session events: the new hook, the old one still served, and SLF4J key-value pairs by default. */
class SessionEventTest {

    @RegisterExtension
    final TestServers servers = new TestServers();

    private static final String CONTENT = "Subject: hi\r\n\r\nhello\r\n";

    private static void deliverOne(TestServer server) throws Exception {
        try (RawSmtpClient c = new RawSmtpClient(server.port())) {
            assertThat(c.deliver("a@example.org", "b@example.net", CONTENT)).startsWith("250");
            assertThat(c.cmd("RCPT TO:<x@example.net>")).startsWith("503"); // no transaction: not a hook's
            c.cmd("QUIT");
        }
        server.awaitNoConnections();
    }

    /** Waits at most 5 s until {@code seen} holds {@code count} items: the disconnect is logged just after the close. */
    private static void await(List<?> seen, int count) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (seen.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    @Test
    void aHandlerThatOverridesOnSessionEventGetsNamesAndFields() throws Exception {
        List<SessionEvent> events = new CopyOnWriteArrayList<>();
        TestServer server = servers.start(new SmtpHandler() {
            @Override
            public void onSessionEvent(SmtpSession session, SessionEvent event) {
                if (session != null) { // not the server's own "listening on" line
                    events.add(event);
                }
            }
        });
        deliverOne(server);
        await(events, 3);
        assertThat(events).extracting(SessionEvent::name).containsExactly("connect", "message_accepted", "disconnect");
        SessionEvent accepted = events.get(1);
        assertThat(accepted.fields()).containsKeys("message_id", "from", "recipients", "octets", "reply");
        assertThat(accepted.fields().get("from")).isEqualTo("<a@example.org>");
        assertThat(accepted.fields().get("recipients")).isEqualTo(1);
        assertThat(accepted.fields().get("octets")).isEqualTo((long) CONTENT.length());
        assertThat((String) accepted.fields().get("reply")).startsWith("250 2.0.0 Ok: queued as " + accepted.fields().get("message_id"));
        assertThat(accepted.message()).startsWith("message " + accepted.fields().get("message_id") + " accepted from <a@example.org>");
    }

    @Test
    void aHandlerWrittenForOnLogEventStillGetsEveryEventAsText() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        TestServer server = servers.start(new SmtpHandler() {
            @Override
            public void onLogEvent(SmtpSession session, LogLevel level, String message, Throwable error) {
                if (session != null) {
                    lines.add(level + " " + message);
                }
            }
        });
        deliverOne(server);
        await(lines, 3);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).startsWith("INFO connect from 127.0.0.1:");
        assertThat(lines.get(1)).matches("INFO message \\S+ accepted from <a@example.org> for 1 recipient\\(s\\), \\d+ octets");
        assertThat(lines.get(2)).isEqualTo("INFO disconnect");
    }

    @Test
    void theDefaultWritesTheSameTextWithKeyValuePairs() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger("dev.postern.session");
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        ch.qos.logback.classic.Level before = logger.getLevel();
        logger.setLevel(ch.qos.logback.classic.Level.INFO);
        try {
            deliverOne(servers.start(new SmtpHandler() {
                @Override
                public void onMessage(SmtpSession session, ReceivedMessage message) {
                }
            }));
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (System.nanoTime() < deadline && !disconnectLogged(appender)) {
                Thread.sleep(10);
            }
        } finally {
            logger.detachAppender(appender);
            logger.setLevel(before);
        }
        List<ILoggingEvent> logged;
        synchronized (appender) {
            logged = List.copyOf(appender.list);
        }
        ILoggingEvent accepted = logged.stream().filter(e -> e.getFormattedMessage().contains(" accepted from ")).findFirst()
                .orElseThrow();
        String id = fields(accepted).get("session").toString();
        assertThat(accepted.getFormattedMessage()).startsWith("[" + id + "] message " + id + ".1 accepted from <a@example.org>");
        Map<String, Object> fields = fields(accepted);
        assertThat(fields).containsEntry("event", "message_accepted").containsEntry("message_id", id + ".1")
                .containsEntry("recipients", 1).containsEntry("octets", (long) CONTENT.length());
        assertThat(fields.get("client").toString()).startsWith("127.0.0.1:");
        assertThat(fields).doesNotContainKeys("proxy", "tls", "user");
        assertThat(logged).filteredOn(e -> fields(e).containsKey("session"))
                .extracting(e -> fields(e).get("event")).containsExactly("connect", "message_accepted", "disconnect");
    }

    private static boolean disconnectLogged(ListAppender<ILoggingEvent> appender) {
        synchronized (appender) { // the appender adds under its own lock
            return appender.list.stream().anyMatch(e -> e.getFormattedMessage().endsWith("] disconnect"));
        }
    }

    private static Map<String, Object> fields(ILoggingEvent event) {
        Map<String, Object> fields = new LinkedHashMap<>();
        List<KeyValuePair> pairs = event.getKeyValuePairs();
        if (pairs != null) {
            pairs.forEach(p -> fields.put(p.key, p.value));
        }
        return fields;
    }

    @Test
    void aConnectionRefusedBeforeItsSessionNamesTheClientAsAField() throws Exception {
        List<SessionEvent> refused = new CopyOnWriteArrayList<>();
        TestServer server = servers.start(new SmtpHandler() {
            @Override
            public void onSessionEvent(SmtpSession session, SessionEvent event) {
                if (event.name().equals("connection_refused")) {
                    assertThat(session).as("refused at admission: no session").isNull();
                    refused.add(event);
                }
            }
        }, c -> c.maxConnections(1));
        try (RawSmtpClient first = new RawSmtpClient(server.port()); RawSmtpClient second = new RawSmtpClient(server.port())) {
            assertThat(first.reply()).startsWith("220");
            assertThat(second.reply()).startsWith("421");
        }
        assertThat(refused).singleElement().satisfies(e -> {
            assertThat(e.level()).isEqualTo(LogLevel.WARN);
            assertThat((String) e.fields().get("client")).startsWith("127.0.0.1:");
            assertThat(e.fields()).containsEntry("limit", 1);
        });
    }

    @Test
    void fieldsAreCheckedAndKeptInOrder() {
        SessionEvent e = SessionEvent.of(LogLevel.INFO, "x", "text").with("b", 1).with("a", "two");
        assertThat(e.fields().keySet()).containsExactly("b", "a");
        assertThatThrownBy(() -> e.fields().put("c", 3)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> e.with("c", null)).isInstanceOf(NullPointerException.class);
        assertThat(e.withError(new IllegalStateException("boom")).error()).hasMessage("boom");
    }
}
