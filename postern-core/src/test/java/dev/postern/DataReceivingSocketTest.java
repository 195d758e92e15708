package dev.postern;

import dev.postern.testing.RawSmtpClient;
import dev.postern.testing.TestServer;
import dev.postern.testing.TestServers;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** onDataReceiving over a socket: a tarpit that holds no thread, and a 421 mid-message. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DataReceivingSocketTest {

    @RegisterExtension
    final TestServers servers = new TestServers();

    /** Tarpits messages from 127.0.0.2 for 4 s once; drops the connection of 127.0.0.4 mid-message. */
    record Tarpit(boolean nonBlocking) implements SmtpHandler {
        @Override
        public DataProgress onDataReceiving(SmtpSession session, long octetsSoFar) {
            String client = session.remoteAddress().getAddress().getHostAddress();
            if (client.equals("127.0.0.4") && octetsSoFar > 0) {
                return DataProgress.reject(SmtpReply.of(421, "4.7.0", "mid-message goodbye"));
            }
            if (client.equals("127.0.0.2") && session.attributes().putIfAbsent("tarpitted", true) == null) {
                return DataProgress.tarpit(Duration.ofSeconds(4));
            }
            return DataProgress.CONTINUE;
        }

        @Override
        public boolean isNonBlocking() {
            return nonBlocking;
        }
    }

    /**
     * One event loop and (in the inline case) hooks on it: while the slow client is tarpitted, another
     * delivers a whole message; the slow one's 250 comes after the tarpit.
     */
    @ParameterizedTest(name = "hooks on the event loop: {0}")
    @ValueSource(booleans = {true, false})
    void aTarpitPausesOneClientWhileOthersAreServed(boolean nonBlocking) throws Exception {
        TestServer server = servers.start(new Tarpit(nonBlocking), c -> c.ioThreads(1).maxProcessings(1));
        try (RawSmtpClient slow = new RawSmtpClient("127.0.0.2", server.port());
             RawSmtpClient fast = new RawSmtpClient("127.0.0.3", server.port())) {
            assertThat(slow.reply()).startsWith("220");
            assertThat(slow.cmd("EHLO s")).startsWith("250");
            slow.cmd("MAIL FROM:<a@b.test>");
            slow.cmd("RCPT TO:<c@d.test>");
            assertThat(slow.cmd("DATA")).startsWith("354");
            long start = System.nanoTime();
            slow.send("Subject: slow\r\n\r\nbody\r\n.\r\n");

            assertThat(fast.deliver("x@y.test", "z@y.test", "Subject: fast\r\n\r\nhi\r\n")).startsWith("250 2.0.0");
            long fastDone = System.nanoTime();
            assertThat(slow.reply()).startsWith("250 2.0.0");
            long slowDone = System.nanoTime();
            assertThat(fastDone).isLessThan(slowDone);
            assertThat(Duration.ofNanos(slowDone - start)).isGreaterThanOrEqualTo(Duration.ofMillis(3950));
            assertThat(slow.cmd("NOOP")).startsWith("250");
        }
    }

    @ParameterizedTest(name = "hooks on the event loop: {0}")
    @ValueSource(booleans = {true, false})
    void a421ClosesTheConnectionMidMessage(boolean nonBlocking) throws Exception {
        TestServer server = servers.start(new Tarpit(nonBlocking));
        try (RawSmtpClient c = new RawSmtpClient("127.0.0.4", server.port())) {
            assertThat(c.reply()).startsWith("220");
            c.cmd("EHLO s");
            c.cmd("MAIL FROM:<a@b.test>");
            c.cmd("RCPT TO:<c@d.test>");
            assertThat(c.cmd("DATA")).startsWith("354");
            c.send("Subject: x\r\n\r\nstill sending");
            assertThat(c.reply()).isEqualTo("421 4.7.0 mid-message goodbye");
            assertThat(c.isClosedByServer()).isTrue();
        }
    }
}
