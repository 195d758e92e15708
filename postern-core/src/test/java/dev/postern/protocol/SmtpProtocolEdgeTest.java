package dev.postern.protocol;

import dev.postern.LineEndingPolicy;
import dev.postern.ServerMetrics.Counter;
import dev.postern.SmtpRejection;
import dev.postern.proxy.ProxyInfo;
import dev.postern.testing.V2Header;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static dev.postern.protocol.ProtocolHarness.codes;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The state machine's less travelled paths: hook failures and what they are logged and counted as, the
 * PROXY header and its hook, a v2 header from a client that was not trusted to send one, the end of a
 * session, and the refusals of DATA and BDAT content (hook rejections, bare line ends, BDAT's size field).
 */
class SmtpProtocolEdgeTest {

    private static ProtocolHarness harness(HookRecorder r) {
        return new ProtocolHarness(r, b -> { });
    }

    @Test
    void onCommandRejectingAnswersWithItsReplyAndFailingIsCountedAndLogged() {
        HookRecorder r = new HookRecorder();
        ProtocolHarness h = harness(r).ready();
        r.onCommand = SmtpRejection.of(550, "5.7.1", "Not that");
        assertThat(h.cmd("NOOP")).isEqualTo("550 5.7.1 Not that\r\n");
        assertThat(h.protocol.isClosed()).isFalse();
        assertThat(h.metrics.get(Counter.HOOK_FAILURES)).isZero();
        r.onCommand = new IllegalStateException("filter bug");
        assertThat(h.cmd("NOOP")).startsWith("421 4.3.0");
        assertThat(h.metrics.get(Counter.HOOK_FAILURES)).isEqualTo(1);
        assertThat(r.log).contains("ERROR onCommand failed");
    }

    @Test
    void aLineStartingWithASpaceIsNoCommand() {
        ProtocolHarness h = new ProtocolHarness().ready();
        assertThat(h.cmd(" NOOP")).isEqualTo("500 5.5.2 Error: bad syntax\r\n");
        assertThat(h.cmd("NOOP ")).isEqualTo("250 2.0.0 Ok\r\n");
        assertThat(h.cmd("noop")).isEqualTo("250 2.0.0 Ok\r\n");
    }

    @Test
    void aUtf8CommandLineIsDecodedAsUtf8() {
        ProtocolHarness h = new ProtocolHarness().ready();
        assertThat(h.cmd("MAIL FROM:<j\u00f6rg@b\u00fccher.example> SMTPUTF8")).startsWith("250");
        assertThat(h.session.envelope().reversePath().address()).isEqualTo("j\u00f6rg@b\u00fccher.example");
    }

    @Test
    void theProxyHookAcceptsAdjustsOrRefusesTheHeader() {
        ProxyInfo header = new ProxyInfo(1, ProxyInfo.Command.PROXY, ProxyInfo.Transport.TCP4,
                new InetSocketAddress("192.0.2.7", 4000), new InetSocketAddress("198.51.100.1", 25), List.of());
        HookRecorder r = new HookRecorder();
        ProtocolHarness h = harness(r);
        assertThat(h.protocol.proxyHeader(header)).isTrue();
        assertThat(h.session.proxy()).contains(header);
        assertThat(h.session.remoteAddress().getAddress().getHostAddress()).isEqualTo("192.0.2.7");

        HookRecorder failing = new HookRecorder();
        failing.onProxy = new IllegalStateException("geo database missing");
        ProtocolHarness refused = harness(failing);
        assertThat(refused.protocol.proxyHeader(header)).isFalse();
        assertThat(refused.replies()).isEqualTo("421 4.3.0 Error: local problem; closing connection\r\n");
        assertThat(refused.protocol.isClosed()).isTrue();
        assertThat(refused.session.proxy()).isEmpty();
        assertThat(refused.session.remoteAddress().getAddress().getHostAddress()).isEqualTo("127.0.0.9");
        refused.protocol.connect();
        assertThat(refused.replies()).isEmpty(); // never greeted

        HookRecorder rejecting = new HookRecorder();
        rejecting.onProxy = SmtpRejection.of(554, "5.7.1", "Blocked network");
        ProtocolHarness blocked = harness(rejecting);
        assertThat(blocked.protocol.proxyHeader(header)).isFalse();
        assertThat(blocked.replies()).isEqualTo("554 5.7.1 Blocked network\r\n");
        assertThat(blocked.protocol.isClosed()).isTrue();
    }

    /**
     * A v2 header from a client the listener does not trust (it was greeted as a direct client): its first
     * bytes claim another identity, so it is refused and closed, and logged as a spoofing attempt. Behind
     * a command, or after an error, the same bytes are no such claim, only bad lines.
     */
    @Test
    void aV2HeaderFromAnUntrustedClientIsRefusedAndClosed() {
        byte[] header = V2Header.tcp4("192.0.2.7", 4000, "198.51.100.1", 25).bytes();
        HookRecorder r = new HookRecorder();
        ProtocolHarness h = harness(r);
        h.connect();
        assertThat(h.feed(header)).isEqualTo("554 5.5.1 Error: PROXY header not allowed from this address; closing connection\r\n");
        assertThat(h.protocol.isClosed()).isTrue();
        assertThat(h.session.isProxied()).isFalse();
        assertThat(r.log).anyMatch(l -> l.startsWith("WARN PROXY v2 header from untrusted /127.0.0.9:40000 refused"));

        ProtocolHarness afterAnError = new ProtocolHarness().ready();
        afterAnError.cmd("FOO");
        assertThat(codes(afterAnError.feed(header))).doesNotContain(554);
        ProtocolHarness afterACommand = new ProtocolHarness().ready();
        byte[] both = new byte[header.length + 6];
        System.arraycopy("NOOP\r\n".getBytes(StandardCharsets.US_ASCII), 0, both, 0, 6);
        System.arraycopy(header, 0, both, 6, header.length);
        assertThat(codes(afterACommand.feed(both))).startsWith(250).doesNotContain(554);
    }

    @Test
    void anEarlyTalkerIsLogged() {
        HookRecorder r = new HookRecorder();
        ProtocolHarness h = harness(r);
        assertThat(h.feed("EHLO early\r\n")).startsWith("554 5.5.0");
        assertThat(r.log).contains("WARN client talked before the greeting");
    }

    @Test
    void disconnectEndsTheSessionAndSurvivesAFailingHook() {
        HookRecorder r = new HookRecorder();
        r.onDisconnect = new IllegalStateException("cleanup failed");
        ProtocolHarness h = harness(r).ready();
        h.cmd("MAIL FROM:<a@b.c>");
        h.protocol.disconnect();
        assertThat(h.protocol.isClosed()).isTrue();
        assertThat(h.session.envelope()).isNull();
        assertThat(r.calls).containsExactly("disconnect");
        assertThat(r.log).contains("WARN onDisconnect failed");
        assertThat(h.feed("NOOP\r\n")).isEmpty();
        h.protocol.abort(Replies.timeout("mx.test"));
        assertThat(h.replies()).isEmpty(); // nothing after the end
    }

    @Test
    void onDataStartRefusingDataOrBdatEndsTheTransaction() {
        HookRecorder r = new HookRecorder();
        r.onDataStart = SmtpRejection.of(554, "5.7.1", "No mail from you");
        ProtocolHarness h = harness(r).ready();
        h.cmd("MAIL FROM:<a@b.c>");
        h.cmd("RCPT TO:<x@y.z>");
        assertThat(h.cmd("DATA")).isEqualTo("554 5.7.1 No mail from you\r\n");
        assertThat(h.session.envelope()).isNull();
        assertThat(h.cmd("RCPT TO:<x@y.z>")).startsWith("503 5.5.1 Error: need MAIL");

        h.cmd("MAIL FROM:<a@b.c>");
        h.cmd("RCPT TO:<x@y.z>");
        assertThat(h.feed("BDAT 5\r\nhello")).isEqualTo("554 5.7.1 No mail from you\r\n"); // the chunk is read, then refused
        assertThat(h.session.envelope()).isNull();
        assertThat(h.cmd("NOOP")).startsWith("250");
        assertThat(h.sinks.allClosed()).isTrue();
        assertThat(r.calls).containsExactly("dataStart", "dataStart");
    }

    @Test
    void bareLineEndsInBdatContentCloseUnderStrict() {
        for (String content : new String[] {"a\nb\r\n", "ab\r"}) {
            HookRecorder r = new HookRecorder();
            ProtocolHarness h = new ProtocolHarness(r, b -> b.lineEndings(LineEndingPolicy.STRICT)).ready();
            h.cmd("MAIL FROM:<a@b.c>");
            h.cmd("RCPT TO:<x@y.z>");
            String replies = h.feed("BDAT " + content.length() + " LAST\r\n" + content);
            assertThat(replies).as(content).isEqualTo("554 5.5.2 Bare CR or LF in message data not allowed; closing connection\r\n");
            assertThat(h.protocol.isClosed()).isTrue();
            assertThat(r.calls).doesNotContain("message a\nb", "message ab");
        }
    }

    @Test
    void bareLineEndsInDataCloseUnderStrict() {
        ProtocolHarness h = new ProtocolHarness(new HookRecorder(), b -> b.lineEndings(LineEndingPolicy.STRICT)).ready();
        h.cmd("MAIL FROM:<a@b.c>");
        h.cmd("RCPT TO:<x@y.z>");
        h.cmd("DATA");
        assertThat(h.feed("a\nb\r\n.\r\n")).startsWith("554 5.5.2 Bare CR or LF");
        assertThat(h.protocol.isClosed()).isTrue();
    }

    /** BDAT's size is 1 to 18 decimal digits: a longer one could overflow, and nothing else is a size. */
    @Test
    void theBdatSizeField() {
        ProtocolHarness h = new ProtocolHarness().ready();
        h.cmd("MAIL FROM:<a@b.c>");
        h.cmd("RCPT TO:<x@y.z>");
        for (String bad : new String[] {"BDAT", "BDAT 1 2", "BDAT 1 LAST x", "BDAT 1 FIRST", "BDAT " + "9".repeat(19),
                "BDAT /", "BDAT :", "BDAT -1", "BDAT 1x"}) {
            assertThat(h.cmd(bad)).as(bad).startsWith("501 5.5.4 Syntax: BDAT size [LAST]");
        }
        assertThat(h.feed("BDAT 0\r\n")).isEqualTo("250 2.0.0 0 octets received\r\n");
        assertThat(h.feed("BDAT 10 last\r\nSubject: ")).isEqualTo("");
        assertThat(h.feed("x")).startsWith("250 2.0.0 Ok: queued as");
        h.cmd("MAIL FROM:<a@b.c>");
        h.cmd("RCPT TO:<x@y.z>");
        // the largest size is read as a size (and then refused as too big once its chunk would exceed the limit)
        assertThat(h.cmd("BDAT " + "9".repeat(18))).doesNotStartWith("501");
    }

    /** A message whose header block never ends (no empty line) still has its headers seen, and is counted. */
    @Test
    void aMessageWithoutABodyStillHasItsHeadersSeenAndIsCountedAndLogged() {
        HookRecorder r = new HookRecorder();
        ProtocolHarness h = harness(r).ready();
        h.cmd("MAIL FROM:<a@b.c>");
        h.cmd("RCPT TO:<x@y.z>");
        h.cmd("DATA");
        assertThat(h.feed("Subject: only a header\r\n.\r\n")).startsWith("250 2.0.0 Ok: queued as TEST1.1");
        assertThat(r.calls).containsExactly("dataStart", "headers 1", "message Subject: only a header");
        assertThat(h.session.messageCount()).isEqualTo(1);
        assertThat(h.metrics.get(Counter.MESSAGES_ACCEPTED)).isEqualTo(1);
        assertThat(h.metrics.get(Counter.MESSAGES_REJECTED)).isZero();
        assertThat(r.log).contains("INFO message TEST1.1 accepted from <a@b.c> for 1 recipient(s), 24 octets");
    }

    @Test
    void aMessageTheSpoolCouldNotKeepIs451AndCountedAsRejected() {
        HookRecorder r = new HookRecorder();
        ProtocolHarness h = harness(r).ready();
        h.sinks.failure = new java.io.IOException("disk full");
        h.cmd("MAIL FROM:<a@b.c>");
        h.cmd("RCPT TO:<x@y.z>");
        h.cmd("DATA");
        assertThat(h.feed("Subject: x\r\n\r\nbody\r\n.\r\n")).startsWith("451 4.3.0");
        assertThat(h.metrics.get(Counter.MESSAGES_REJECTED)).isEqualTo(1);
        assertThat(h.metrics.get(Counter.MESSAGES_ACCEPTED)).isZero();
        assertThat(h.session.messageCount()).isZero();
        assertThat(r.log).contains("ERROR cannot spool message");
        assertThat(r.calls).doesNotContain("message body");
    }
}
