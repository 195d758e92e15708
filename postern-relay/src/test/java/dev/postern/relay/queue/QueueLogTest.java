package dev.postern.relay.queue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.postern.relay.RecipientOutcome;
import dev.postern.relay.RemoteReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** One log line per state change, with what an operator greps for. */
class QueueLogTest {

    @TempDir
    Path dir;

    private final Logger logger = (Logger) LoggerFactory.getLogger("dev.postern.queue");
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private Level level;
    private QueueFixture fx;

    @BeforeEach
    void capture() throws Exception {
        level = logger.getLevel();
        logger.setLevel(Level.INFO);
        logger.setAdditive(false);
        appender.start();
        logger.addAppender(appender);
        fx = new QueueFixture(dir).running();
    }

    @AfterEach
    void release() throws Exception {
        fx.close();
        logger.detachAppender(appender);
        logger.setAdditive(true);
        logger.setLevel(level);
    }

    private List<String> lines(String id) {
        return appender.list.stream().map(ILoggingEvent::getFormattedMessage).filter(l -> l.startsWith(id + ":")).toList();
    }

    @Test
    void queuedDeliveredDeferredFailedBouncedRemoved() {
        Map<String, RecipientOutcome.Status> script = Map.of("carol@example.net", RecipientOutcome.Status.DEFERRED,
                "dave@example.net", RecipientOutcome.Status.FAILED);
        fx.transport.script = r -> script.getOrDefault(r, RecipientOutcome.Status.DELIVERED);
        fx.transport.replies = r -> switch (script.getOrDefault(r, RecipientOutcome.Status.DELIVERED)) {
            case DELIVERED -> FakeTransport.OK;
            case DEFERRED -> new RemoteReply(451, "4.7.1", "Greylisted");
            case FAILED -> new RemoteReply(550, "5.1.1", "No such user");
        };
        String id = fx.enqueue("alice@example.org", "bob@example.net", "carol@example.net", "dave@example.net");
        String dsn = fx.transport.requests().get(1).queueId();
        String hop = " route=example.net remote=mx.example.net[192.0.2.25]:25 PRX=[198.51.100.7]:1080 attempt=1";
        assertThat(lines(id)).containsExactly(
                id + ": queued from=<alice@example.org> size=" + QueueFixture.CONTENT.length + " nrcpt=3",
                id + ": to=<bob@example.net>" + hop + " status=delivered (250 2.0.0 Ok: queued as 42)",
                id + ": to=<carol@example.net>" + hop + " status=deferred next=2026-03-02T10:01:00Z (451 4.7.1 Greylisted)",
                id + ": to=<dave@example.net>" + hop + " status=failed (550 5.1.1 No such user)",
                id + ": bounced dsn=" + dsn + " action=failed sender=<alice@example.org> rcpt=<dave@example.net>");
        assertThat(lines(dsn)).contains(dsn + ": queued from=<> size=" + fx.transport.requests().get(1).size() + " nrcpt=1",
                dsn + ": removed");
        fx.transport.script = r -> RecipientOutcome.Status.DELIVERED;
        fx.transport.replies = r -> FakeTransport.OK;
        fx.scheduler.advance(Duration.ofMinutes(1));
        assertThat(lines(id)).endsWith(id + ": to=<carol@example.net>" + hop.replace("attempt=1", "attempt=2")
                + " status=delivered (250 2.0.0 Ok: queued as 42)", id + ": removed");
    }

    @Test
    void theNullSenderIsLoggedNotBounced() {
        fx.transport.script = r -> RecipientOutcome.Status.FAILED;
        fx.transport.replies = r -> new RemoteReply(550, "5.1.1", "No such user");
        String id = fx.enqueue("", "bob@example.net");
        assertThat(lines(id)).contains(id + ": not bounced (null sender) rcpt=<bob@example.net>");
    }

    @Test
    void operatorActionsAreLogged() throws Exception {
        fx.transport.script = r -> RecipientOutcome.Status.DEFERRED;
        String id = fx.enqueue("alice@example.org", "bob@example.net");
        fx.manager.hold(id);
        fx.manager.delete(id);
        assertThat(lines(id)).endsWith(id + ": held by the operator rcpt=<bob@example.net>",
                id + ": deleted by the operator rcpt=<bob@example.net>");
    }
}
