package dev.postern.interop;

import dev.postern.interop.ClientRecorder.Delivered;
import dev.postern.interop.ClientRecorder.Seen;
import dev.postern.proxy.ProxyInfo;
import dev.postern.testing.ExternalTool;
import dev.postern.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * swaks speaking the PROXY protocol itself (its {@code --proxy-*} options), as a proxy would, with a
 * made-up client address: believed from a trusted source, not believed from any other.
 */
class SwaksProxyInteropTest extends InteropTestBase {

    static final String SPOOFED_CLIENT = "192.0.2.10";

    private TestServer server;

    /** Postern requiring a PROXY header from {@code trusted} sources. */
    private void startTrusting(String trusted) throws Exception {
        startTrusting(trusted, Duration.ofSeconds(5));
    }

    private void startTrusting(String trusted, Duration proxyTimeout) throws Exception {
        server = startPostern(c -> c.clearListeners().listen(requiringProxyFrom(trusted)).proxyTimeout(proxyTimeout));
    }

    /** swaks from {@code localAddress} with a PROXY header built from {@code proxyOptions}. */
    private ExternalTool.Result swaks(String localAddress, int version, String... proxyOptions) throws Exception {
        List<String> options = new ArrayList<>(List.of("--proxy-version", String.valueOf(version)));
        options.addAll(List.of(proxyOptions));
        return swaksFrom(localAddress, server.port(), "swaks proxy v" + version, options.toArray(String[]::new));
    }

    /** A header of {@code version} that names {@link #SPOOFED_CLIENT}:40000 as the client. */
    private ExternalTool.Result swaksNamingSpoofedClient(String localAddress, int version) throws Exception {
        return swaks(localAddress, version, "--proxy-family", version == 1 ? "TCP4" : "AF_INET",
                "--proxy-source", SPOOFED_CLIENT, "--proxy-source-port", "40000",
                "--proxy-dest", "127.0.0.1", "--proxy-dest-port", "25");
    }

    @ParameterizedTest(name = "PROXY v{0} {1} {2}")
    @CsvSource({
            "1, TCP4,      192.0.2.10,   198.51.100.1",
            "2, AF_INET,   192.0.2.10,   198.51.100.1",
            "1, TCP6,      2001:db8::10, 2001:db8::1",
            "2, AF_INET6,  2001:db8::10, 2001:db8::1"})
    void headerFromATrustedSourceNamesTheClient(int version, String family, String source, String destination)
            throws Exception {
        startTrusting("127.0.0.1/32");
        ExternalTool.Result r = swaks("127.0.0.1", version, "--proxy-family", family,
                "--proxy-source", source, "--proxy-source-port", "40000",
                "--proxy-dest", destination, "--proxy-dest-port", "25");
        assertThat(r.exitCode()).as(r.output()).isZero();

        Seen connect = recorder.nextConnect();
        assertThat(connect.remote()).isEqualTo(new InetSocketAddress(source, 40000));
        assertThat(connect.socketRemoteIp()).isEqualTo("127.0.0.1");
        assertThat(connect.local()).isEqualTo(new InetSocketAddress(destination, 25));
        ProxyInfo p = connect.proxy().orElseThrow();
        assertThat(p.version()).isEqualTo(version);
        assertThat(p.command()).isEqualTo(ProxyInfo.Command.PROXY);

        Delivered m = recorder.nextMessage();
        assertThat(m.session().sessionId()).isEqualTo(connect.sessionId());
        assertThat(m.session().remote()).isEqualTo(new InetSocketAddress(source, 40000));
        assertThat(m.content()).contains("Subject: swaks proxy v" + version);
        assertThat(recorder.problems()).isEmpty();
    }

    /**
     * swaks 20201014's {@code --proxy-command LOCAL} is malformed: command nibble 2 (the spec's LOCAL is 0)
     * and one length byte instead of two, 15 bytes in all. Postern judges the version/command byte as
     * soon as it arrives and closes at once, without a greeting: no session starts, nothing is believed.
     * (A well-formed v2 LOCAL, from HAProxy's health checks, is accepted: see {@link HaproxyInteropTest}.)
     */
    @Test
    void swaksMalformedV2LocalIsClosedWithoutAGreeting() throws Exception {
        startTrusting("127.0.0.1/32", Duration.ofSeconds(1));
        long t0 = System.nanoTime();
        ExternalTool.Result r = swaks("127.0.0.1", 2, "--proxy-command", "LOCAL", "--proxy-family", "AF_INET",
                "--proxy-source", SPOOFED_CLIENT, "--proxy-source-port", "40000",
                "--proxy-dest", "127.0.0.1", "--proxy-dest-port", "25");
        long tookMillis = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.exitCode()).as(r.output()).isNotZero();
        assertThat(r.output()).contains(" -> DQoNCgANClFVSVQKIgAA").doesNotContain("<-  220");
        assertThat(tookMillis).as("closed at once, not by the 1 s header timeout").isLessThan(900L);
        assertThat(recorder.connects).isEmpty();
        assertThat(recorder.messages).isEmpty();
        assertThat(recorder.logs).anyMatch(l -> l.startsWith("WARN invalid PROXY header: bad v2 version/command byte 0x22"));
    }

    /**
     * A listener that trusts only 127.0.0.2 greets 127.0.0.9 at once as a direct client. swaks then
     * sends its header as if it were SMTP: a v1 line is refused (503) and logged as a spoofing attempt;
     * a v2 binary signature is refused (554, close) and logged likewise. Either way swaks's dialog falls out
     * of step, no message is stored, and no hook ever sees the address the header claimed.
     */
    @ParameterizedTest(name = "PROXY v{0}")
    @CsvSource({"1", "2"})
    void headerFromAnUntrustedSourceIsNotBelieved(int version) throws Exception {
        startTrusting("127.0.0.2/32");
        ExternalTool.Result r = swaksNamingSpoofedClient("127.0.0.9", version);
        assertThat(r.exitCode()).as(r.output()).isNotZero();
        assertThat(r.output()).contains("<-  220 mx.test");

        Seen connect = recorder.nextConnect();
        assertThat(connect.remote()).isEqualTo(connect.socketRemote());
        assertThat(connect.remoteIp()).isEqualTo("127.0.0.9");
        assertThat(connect.proxy()).isEmpty();
        Seen end = recorder.nextDisconnect();
        assertThat(end.sessionId()).isEqualTo(connect.sessionId());
        assertThat(end.remoteIp()).as("not even later in the session").isEqualTo("127.0.0.9");
        assertThat(recorder.messages).isEmpty();
        assertThat(recorder.connects).isEmpty();
        assertThat(recorder.logs).noneMatch(l -> l.contains(SPOOFED_CLIENT));
        if (version == 1) {
            assertThat(r.output()).contains("503 5.5.1");
            assertThat(recorder.logs).anyMatch(l -> l.startsWith("WARN PROXY line inside the session refused"));
        } else {
            assertThat(r.output()).contains("554 5.5.1");
            assertThat(recorder.logs).anyMatch(l -> l.startsWith("WARN PROXY v2 header from untrusted"));
        }
    }
}
