package dev.postern;

import dev.postern.testing.RawSmtpClient;
import dev.postern.testing.TestServer;
import dev.postern.testing.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** SessionObserver over real sockets: what is measured, for which listener, and that an observer cannot hurt a session. */
class SessionObserverTest {

    @RegisterExtension
    final TestServers servers = new TestServers();

    /** Everything an observer is told, as text, and a latch for the end of the session. */
    static final class Recording implements SessionObserver {
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<Duration> durations = new CopyOnWriteArrayList<>();
        final CountDownLatch closed = new CountDownLatch(1);

        @Override
        public void sessionClosed(Listener listener, SmtpSession session, Duration duration) {
            durations.add(duration);
            events.add("closed " + listener.port());
            closed.countDown();
        }

        @Override
        public void messageReplied(Listener listener, SmtpSession session, long octets, SmtpReply reply, Duration sinceEndOfData) {
            durations.add(sinceEndOfData);
            events.add("message " + octets + " " + reply.code());
        }

        @Override
        public void hookCompleted(Listener listener, SmtpSession session, String hook, Duration duration, boolean threw) {
            durations.add(duration);
            events.add(hook + (threw ? " threw" : ""));
        }
    }

    private static final String CONTENT = "Subject: hi\r\n\r\nhello\r\n";

    private TestServer start(SmtpHandler handler, SessionObserver observer, Listener listener) throws Exception {
        SmtpServer server = SmtpServer.builder()
                .configure(c -> c.clearListeners().listen(listener).hostname("mx.test"))
                .handler(handler)
                .observer(observer)
                .build()
                .start();
        return servers.add(TestServer.of(server, () -> server.stop(Duration.ZERO)));
    }

    @Test
    void reportsTheOverriddenHooksTheMessagesAndTheSessionPerListener() throws Exception {
        Recording seen = new Recording();
        SmtpHandler handler = new SmtpHandler() {
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
        };
        Listener listener = Listener.of("127.0.0.1", 0);
        TestServer server = start(handler, seen, listener);
        try (RawSmtpClient c = new RawSmtpClient(server.port())) {
            assertThat(c.reply()).startsWith("220");
            c.cmd("EHLO client.test");
            c.cmd("MAIL FROM:<a@example.org>");
            assertThat(c.cmd("RCPT TO:<nobody@example.net>")).startsWith("550");
            c.cmd("RCPT TO:<b@example.net>");
            assertThat(c.cmd("DATA")).startsWith("354");
            assertThat(c.cmd(CONTENT + ".")).startsWith("250");
            c.cmd("MAIL FROM:<a@example.org>");
            c.cmd("RCPT TO:<b@example.net>");
            c.send("BDAT 30000000 LAST\r\n"); // larger than the limit: read to its end, then refused
            byte[] block = new byte[1_000_000];
            for (int i = 0; i < 30; i++) {
                c.send(block);
            }
            assertThat(c.reply()).startsWith("552");
            c.cmd("QUIT");
        }
        assertThat(seen.closed.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(seen.events).containsExactly(
                "onRcptTo threw", "onRcptTo", "onMessage", "message " + CONTENT.length() + " 250",
                "onRcptTo", "message 30000000 552",
                "closed 0"); // the listener as configured, port 0 included
        assertThat(seen.durations).allMatch(d -> !d.isNegative());
    }

    @Test
    void measuresNothingAndCallsNoHookItDoesNotOverride() throws Exception {
        Recording seen = new Recording();
        TestServer server = start(new SmtpHandler() {
            @Override
            public boolean isNonBlocking() {
                return true;
            }
        }, seen, Listener.of("127.0.0.1", 0));
        try (RawSmtpClient c = new RawSmtpClient(server.port())) {
            assertThat(c.deliver("a@example.org", "b@example.net", CONTENT)).startsWith("250");
            c.cmd("QUIT");
        }
        assertThat(seen.closed.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(seen.events).containsExactly("message " + CONTENT.length() + " 250", "closed 0");
    }

    @Test
    void aThrowingObserverChangesNothingForTheClientAndTheOthersStillHear() throws Exception {
        Recording seen = new Recording();
        SessionObserver broken = new SessionObserver() {
            @Override
            public void messageReplied(Listener l, SmtpSession s, long octets, SmtpReply reply, Duration d) {
                throw new IllegalStateException("broken observer");
            }

            @Override
            public void hookCompleted(Listener l, SmtpSession s, String hook, Duration d, boolean threw) {
                throw new IllegalStateException("broken observer");
            }
        };
        SmtpServer server = SmtpServer.builder()
                .configure(c -> c.clearListeners().listen(Listener.of("127.0.0.1", 0)).hostname("mx.test"))
                .handler(new SmtpHandler() {
                    @Override
                    public void onMessage(SmtpSession session, ReceivedMessage message) {
                    }
                })
                .observer(broken)
                .build()
                .start();
        servers.add(TestServer.of(server, () -> server.stop(Duration.ZERO)));
        server.addObserver(seen);
        try (RawSmtpClient c = new RawSmtpClient(server.port())) {
            assertThat(c.deliver("a@example.org", "b@example.net", CONTENT)).startsWith("250");
            c.cmd("QUIT");
        }
        assertThat(seen.closed.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(seen.events).containsExactly("onMessage", "message " + CONTENT.length() + " 250", "closed 0");
        assertThat(server.removeObserver(seen)).isTrue();
        assertThat(server.removeObserver(seen)).isFalse();
    }

    /** A hook added to SmtpHandler but not passed on by the timing wrapper would silently fall back to its default. */
    @Test
    void theTimingWrapperPassesOnEveryHook() throws Exception {
        Class<?> wrapper = Class.forName("dev.postern.netty.TimedHooks");
        for (Method hook : SmtpHandler.class.getMethods()) {
            if (hook.isDefault()) {
                assertThat(wrapper.getMethod(hook.getName(), hook.getParameterTypes()).getDeclaringClass())
                        .as(hook.getName()).isEqualTo(wrapper);
            }
        }
    }
}
