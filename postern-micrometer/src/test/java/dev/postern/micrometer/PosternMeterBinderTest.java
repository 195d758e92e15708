package dev.postern.micrometer;

import dev.postern.ForwardPath;
import dev.postern.MailParameters;
import dev.postern.ReceivedMessage;
import dev.postern.ServerMetrics;
import dev.postern.SmtpHandler;
import dev.postern.SmtpRejection;
import dev.postern.SmtpSession;
import dev.postern.testing.RawSmtpClient;
import dev.postern.testing.TestServer;
import dev.postern.testing.TestServers;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The binder on a SimpleMeterRegistry, after real sessions. */
class PosternMeterBinderTest {

    @RegisterExtension
    final TestServers servers = new TestServers();

    private static final String CONTENT = "Subject: counted\r\n\r\nbody\r\n";

    @Test
    void countersGaugeAndTimersOfRealSessions() throws Exception {
        TestServer server = servers.start(new SmtpHandler() {
            @Override
            public ForwardPath onRcptTo(SmtpSession session, ForwardPath to, MailParameters parameters) {
                if (to.address().startsWith("nobody@")) {
                    throw SmtpRejection.of(550, "5.1.1", "No such user");
                }
                return to;
            }

            @Override
            public void onMessage(SmtpSession session, ReceivedMessage message) {
            }
        });
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PosternMeterBinder binder = new PosternMeterBinder(server.server());
        binder.bindTo(registry);
        try (RawSmtpClient c = new RawSmtpClient(server.port())) {
            assertThat(c.deliver("a@example.org", "b@example.net", CONTENT)).startsWith("250");
            assertThat(c.cmd("MAIL FROM:<a@example.org>")).startsWith("250");
            assertThat(c.cmd("RCPT TO:<nobody@example.net>")).startsWith("550");
            c.cmd("QUIT");
        }
        String listener = "127.0.0.1:0";
        Timer sessions = awaitTimer(registry, listener);
        assertThat(sessions.count()).isEqualTo(1);
        assertThat(sessions.totalTime(TimeUnit.NANOSECONDS)).isPositive();

        ServerMetrics metrics = server.metrics();
        for (ServerMetrics.Counter counter : ServerMetrics.Counter.values()) {
            FunctionCounter meter = registry.get("postern." + counter.name().toLowerCase(Locale.ROOT).replace('_', '.')).functionCounter();
            assertThat(meter.count()).as(counter.name()).isEqualTo((double) metrics.get(counter));
            assertThat(meter.getId().getDescription()).isEqualTo(counter.description());
        }
        assertThat(registry.get("postern.messages.accepted").functionCounter().count()).isEqualTo(1.0);
        assertThat(registry.get("postern.replies.5xx").functionCounter().count()).isEqualTo(1.0);
        assertThat(registry.get("postern.connections.active").gauge().value()).isZero();

        DistributionSummary size = registry.get("postern.message.size").tags("listener", listener, "reply", "2xx").summary();
        assertThat(size.count()).isEqualTo(1);
        assertThat(size.totalAmount()).isEqualTo((double) metrics.get(ServerMetrics.Counter.MESSAGE_BYTES_ACCEPTED));
        assertThat(registry.get("postern.message.reply").tags("listener", listener, "reply", "2xx").timer().count()).isEqualTo(1);
        assertThat(registry.get("postern.hook.duration").tags("listener", listener, "hook", "onRcptTo").timer().count()).isEqualTo(2);
        assertThat(registry.get("postern.hook.duration").tags("listener", listener, "hook", "onMessage").timer().count()).isEqualTo(1);
        assertThat(registry.find("postern.hook.duration").tags("hook", "onHelo").timer()).as("not overridden").isNull();

        binder.close();
        try (RawSmtpClient c = new RawSmtpClient(server.port())) {
            assertThat(c.deliver("a@example.org", "b@example.net", CONTENT)).startsWith("250");
        }
        assertThat(registry.get("postern.message.reply").tags("listener", listener, "reply", "2xx").timer().count())
                .as("closed: no more timings").isEqualTo(1);
        assertThat(registry.get("postern.messages.accepted").functionCounter().count()).as("the counters still read").isEqualTo(2.0);
    }

    /** The session timer once the server has seen the close (at most 5 s). */
    private static Timer awaitTimer(SimpleMeterRegistry registry, String listener) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        Timer timer;
        while ((timer = registry.find("postern.session.duration").tags("listener", listener).timer()) == null
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(timer).as("session timer").isNotNull();
        return timer;
    }
}
