package dev.postern.interop;

import dev.postern.Listener;
import dev.postern.SmtpServer;
import dev.postern.interop.ClientRecorder.Delivered;
import dev.postern.interop.ClientRecorder.Seen;
import dev.postern.proxy.ProxyInfo;
import dev.postern.proxy.ProxyProtocolMode;
import dev.postern.proxy.TrustedSources;
import dev.postern.testing.ExternalTool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * swaks speaking the PROXY protocol itself (its {@code --proxy-*} options), as a proxy would, with a
 * made-up client address: believed from a trusted source, not believed from any other.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SwaksProxyInteropTest {

    static final String SPOOFED_CLIENT = "192.0.2.10";

    private final ClientRecorder recorder = new ClientRecorder();
    private SmtpServer server;

    private void startPostern(String trusted) throws Exception {
        server = SmtpServer.builder()
                .configure(c -> c.clearListeners()
                        .listen(Listener.of("127.0.0.1", 0)
                                .withProxyProtocol(ProxyProtocolMode.REQUIRED, TrustedSources.parse(trusted)))
                        .hostname("mx.test"))
                .handler(recorder).build().start();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(Duration.ZERO);
        }
    }

    /** swaks from {@code localAddress}, sending a PROXY header of {@code version} that names {@link #SPOOFED_CLIENT}. */
    private ExternalTool.Result swaks(String localAddress, int version) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("swaks", "--server", "127.0.0.1", "--port", String.valueOf(server.port()),
                "--local-interface", localAddress, "--helo", "swaks.test", "--timeout", "10",
                "--from", "sender@swaks.test", "--to", "rcpt@mx.test", "--header", "Subject: swaks proxy v" + version,
                "--proxy-version", String.valueOf(version), "--proxy-family", version == 1 ? "TCP4" : "AF_INET",
                "--proxy-source", SPOOFED_CLIENT, "--proxy-source-port", "40000",
                "--proxy-dest", "127.0.0.1", "--proxy-dest-port", "25"));
        return ExternalTool.run(Duration.ofSeconds(30), cmd);
    }

    @ParameterizedTest(name = "PROXY v{0}")
    @CsvSource({"1", "2"})
    void headerFromATrustedSourceNamesTheClient(int version) throws Exception {
        startPostern("127.0.0.1/32");
        ExternalTool.Result r = swaks("127.0.0.1", version);
        assertThat(r.exitCode()).as(r.output()).isZero();

        Seen connect = recorder.nextConnect();
        assertThat(connect.remote()).isEqualTo(new InetSocketAddress(SPOOFED_CLIENT, 40000));
        assertThat(connect.socketRemoteIp()).isEqualTo("127.0.0.1");
        assertThat(connect.local()).isEqualTo(new InetSocketAddress("127.0.0.1", 25));
        ProxyInfo p = connect.proxy().orElseThrow();
        assertThat(p.version()).isEqualTo(version);
        assertThat(p.command()).isEqualTo(ProxyInfo.Command.PROXY);

        Delivered m = recorder.nextMessage();
        assertThat(m.session().remoteIp()).isEqualTo(SPOOFED_CLIENT);
        assertThat(m.content()).contains("Subject: swaks proxy v" + version);
        assertThat(recorder.problems()).isEmpty();
    }

    /**
     * A listener that trusts only 127.0.0.2 greets 127.0.0.9 at once as a direct client. swaks then
     * sends its header as if it were SMTP: a v1 line is refused (503) and logged as a spoofing attempt;
     * the v2 binary signature is a run of malformed command lines. Either way swaks's dialog falls out
     * of step, no message is stored, and no hook ever sees the address the header claimed.
     */
    @ParameterizedTest(name = "PROXY v{0}")
    @CsvSource({"1", "2"})
    void headerFromAnUntrustedSourceIsNotBelieved(int version) throws Exception {
        startPostern("127.0.0.2/32");
        ExternalTool.Result r = swaks("127.0.0.9", version);
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
            assertThat(r.output()).contains("500 5.5.2");
        }
    }
}
