package dev.postern;

import dev.postern.auth.AuthConfig;
import dev.postern.auth.AuthMechanism;
import dev.postern.auth.Credentials;
import dev.postern.proxy.ProxyProtocolMode;
import dev.postern.proxy.TrustedSources;
import dev.postern.testing.RawSmtpClient;
import dev.postern.testing.TestServer;
import dev.postern.testing.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The limits keyed on the real client, over sockets: the AUTH failure throttle (454 after a pause that
 * holds no thread, then served again after the window), the per_conn connection rate counted after the
 * PROXY header, and lenient paths.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AbuseLimitsSocketTest {

    @RegisterExtension
    final TestServers servers = new TestServers();

    /** alice / s3cret; its hooks run on the event loop when {@code nonBlocking}, else on virtual threads. */
    record Users(boolean nonBlocking) implements SmtpHandler {
        @Override
        public String onAuth(SmtpSession session, Credentials c) {
            if (c instanceof Credentials.Password p && p.username().equals("alice") && p.password().equals("s3cret")) {
                return null;
            }
            throw SmtpRejection.of(535, "5.7.8", "Authentication credentials invalid");
        }

        @Override
        public boolean isNonBlocking() {
            return nonBlocking;
        }
    }

    private static String plain(String user, String password) {
        return "AUTH PLAIN " + Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * One event loop serves every connection: if the throttle's delay held a thread, the second client
     * could not be served while the first waits for its 454.
     */
    @ParameterizedTest(name = "hooks on the event loop: {0}")
    @ValueSource(booleans = {true, false})
    void authThrottleAnswers454AfterAPauseWithoutHoldingTheEventLoopAndEndsWithTheWindow(boolean nonBlocking) throws Exception {
        Duration window = Duration.ofSeconds(4);
        TestServer server = servers.start(new Users(nonBlocking), c -> c.ioThreads(1)
                .auth(AuthConfig.of(AuthMechanism.PLAIN).andAllowPlaintext())
                .authFailureLimit(2, window));
        try (RawSmtpClient guesser = new RawSmtpClient("127.0.0.2", server.port());
             RawSmtpClient other = new RawSmtpClient("127.0.0.3", server.port())) {
            assertThat(guesser.reply()).startsWith("220");
            assertThat(guesser.cmd("EHLO g")).startsWith("250");
            assertThat(guesser.cmd(plain("alice", "a"))).startsWith("535");
            long lastFailure = System.nanoTime();
            assertThat(guesser.cmd(plain("alice", "b"))).startsWith("535");
            assertThat(other.reply()).startsWith("220");

            long asked = System.nanoTime();
            guesser.send(plain("alice", "s3cret") + "\r\n");
            // meanwhile another client is served on the same (single) event loop
            assertThat(other.cmd("EHLO o")).startsWith("250");
            assertThat(other.cmd(plain("alice", "s3cret"))).startsWith("235");
            long otherServed = System.nanoTime();
            assertThat(guesser.reply()).isEqualTo("454 4.7.0 Too many failed authentication attempts, try again later");
            long refused = System.nanoTime();
            assertThat(Duration.ofNanos(refused - asked)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
            assertThat(otherServed).isLessThan(refused);
            assertThat(guesser.cmd("NOOP")).startsWith("250"); // the session goes on

            long sinceLock = System.nanoTime() - lastFailure;
            Thread.sleep(Math.max(0, window.toMillis() - sinceLock / 1_000_000 + 300));
            assertThat(guesser.cmd(plain("alice", "s3cret"))).startsWith("235");
        }
    }

    @Test
    void connectionRateIsCountedPerRealClientAfterTheProxyHeader() throws Exception {
        TestServer server = servers.start(new SmtpHandler() { }, c -> c.clearListeners()
                .listen(TestServer.loopback().withProxyProtocol(ProxyProtocolMode.REQUIRED, TrustedSources.parse("127.0.0.1")))
                .connectionRateLimit(2, Duration.ofHours(1)));
        for (int i = 0; i < 2; i++) {
            try (RawSmtpClient c = new RawSmtpClient("127.0.0.1", server.port())) {
                c.send("PROXY TCP4 192.0.2.10 198.51.100.1 " + (40000 + i) + " 25\r\n");
                assertThat(c.reply()).startsWith("220 mx.test");
            }
        }
        try (RawSmtpClient c = new RawSmtpClient("127.0.0.1", server.port())) {
            c.send("PROXY TCP4 192.0.2.10 198.51.100.1 40009 25\r\n");
            assertThat(c.reply()).isEqualTo("421 4.7.0 mx.test Too many connections from your address recently, try again later");
            assertThat(c.isClosedByServer()).isTrue();
        }
        // the same proxy, another client: its own count
        try (RawSmtpClient c = new RawSmtpClient("127.0.0.1", server.port())) {
            c.send("PROXY TCP4 192.0.2.11 198.51.100.1 40000 25\r\n");
            assertThat(c.reply()).startsWith("220 mx.test");
        }
        assertThat(server.server().metrics().get(ServerMetrics.Counter.CONNECTIONS_REFUSED)).isEqualTo(1);
    }

    @Test
    void lenientPathsOverTheWire() throws Exception {
        TestServer server = servers.start(new SmtpHandler() { }, c -> c.pathSyntax(PathSyntax.LENIENT));
        try (RawSmtpClient c = new RawSmtpClient(server.port())) {
            assertThat(c.reply()).startsWith("220");
            assertThat(c.cmd("HELO x")).startsWith("250");
            assertThat(c.cmd("MAIL FROM:user@example.org")).startsWith("250 2.1.0");
            assertThat(c.cmd("RCPT TO:rcpt@example.org")).startsWith("250 2.1.5");
        }
    }

    @Test
    void defaults() {
        SmtpServerConfig config = SmtpServerConfig.builder().build();
        assertThat(config.maxAuthFailures()).isEqualTo(5);
        assertThat(config.authFailureWindow()).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.maxConnectionRate()).isZero();
        assertThat(config.pathSyntax()).isEqualTo(PathSyntax.STRICT);
        SmtpServerConfig changed = config.toBuilder().authFailureLimit(3, Duration.ofMinutes(1))
                .connectionRateLimit(10, Duration.ofMinutes(5)).pathSyntax(PathSyntax.LENIENT).build();
        assertThat(changed.toBuilder().build()).isEqualTo(changed);
        assertThat(changed.maxConnectionRate()).isEqualTo(10);
        assertThat(changed.connectionRatePeriod()).isEqualTo(Duration.ofMinutes(5));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SmtpServerConfig.builder()
                .authFailureLimit(-1, Duration.ofMinutes(1)).build()).isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SmtpServerConfig.builder()
                .connectionRateLimit(1, Duration.ZERO).build()).isInstanceOf(IllegalArgumentException.class);
    }
}
