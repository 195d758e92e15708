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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * nginx 1.22's stream module in front of Postern, as a child process on loopback. nginx sends the v1
 * (text) header. The client connects from 127.0.0.9 (or ::1) and nginx from 127.0.0.1.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NginxInteropTest {

    static final String NGINX = "/usr/sbin/nginx";
    static final String PROXY_IP = "127.0.0.1";

    /**
     * A TCP relay with the stream module. Run in the foreground with
     * {@code nginx -e stderr -p DIR -c nginx.conf -g 'daemon off;'}; Postern's listener trusts nginx's
     * address (here 127.0.0.1/32).
     */
    static final String STREAM_RELAY = """
            load_module /usr/lib/nginx/modules/ngx_stream_module.so;

            worker_processes 1;
            pid ${DIR}/nginx.pid;
            error_log stderr info;

            events {
                worker_connections 64;
            }

            stream {
                server {
                    listen 127.0.0.1:${PROXY_PORT};
                    listen [::1]:${PROXY_PORT};
                    proxy_pass 127.0.0.1:${POSTERN_PORT};
                    proxy_protocol on;
                }
            }
            """;

    @TempDir
    Path dir;

    private final ClientRecorder recorder = new ClientRecorder();
    private SmtpServer server;
    private PeerProcess nginx;

    @BeforeEach
    void startPostern() throws Exception {
        server = SmtpServer.builder()
                .configure(c -> c.clearListeners()
                        .listen(Listener.of("127.0.0.1", 0)
                                .withProxyProtocol(ProxyProtocolMode.REQUIRED, TrustedSources.parse("127.0.0.1/32")))
                        .hostname("mx.test"))
                .handler(recorder).build().start();
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (nginx != null) {
                nginx.close();
            }
        } finally {
            server.stop(Duration.ZERO);
        }
    }

    @ParameterizedTest(name = "client {0}")
    @CsvSource({"127.0.0.9, 127.0.0.1, TCP4", "::1, ::1, TCP6"})
    void streamProxyProtocolTellsTheRealClient(String clientIp, String listenIp, ProxyInfo.Transport transport)
            throws Exception {
        int proxyPort = PeerProcess.freePort();
        Path conf = PeerProcess.writeConfig(dir.resolve("nginx.conf"), STREAM_RELAY,
                Map.of("DIR", dir, "PROXY_PORT", proxyPort, "POSTERN_PORT", server.port()));
        List<String> nginxCommand = List.of(NGINX, "-e", "stderr", "-p", dir.toString(), "-c", conf.toString(),
                "-g", "daemon off;");
        ExternalTool.Result check = ExternalTool.run(Duration.ofSeconds(10),
                List.of(NGINX, "-t", "-e", "stderr", "-p", dir.toString(), "-c", conf.toString(), "-g", "daemon off;"));
        assertThat(check.exitCode()).as("nginx -t:\n" + check.output()).isZero();
        nginx = PeerProcess.start("nginx", dir, nginxCommand, proxyPort, Duration.ofSeconds(5));

        int clientPort = PeerProcess.freePort(clientIp);
        try (MailClient c = new MailClient(clientIp, clientPort, listenIp, proxyPort)) {
            c.send("through nginx");
        }

        Seen connect = recorder.nextConnect();
        assertThat(connect.remote()).isEqualTo(new InetSocketAddress(clientIp, clientPort));
        assertThat(connect.socketRemoteIp()).isEqualTo(PROXY_IP);
        assertThat(connect.local()).as("the address the client reached: nginx's listener")
                .isEqualTo(new InetSocketAddress(listenIp, proxyPort));
        ProxyInfo p = connect.proxy().orElseThrow();
        assertThat(p.version()).isEqualTo(1);
        assertThat(p.command()).isEqualTo(ProxyInfo.Command.PROXY);
        assertThat(p.transport()).isEqualTo(transport);

        Delivered m = recorder.nextMessage();
        assertThat(m.session().sessionId()).isEqualTo(connect.sessionId());
        assertThat(m.session().remote()).isEqualTo(new InetSocketAddress(clientIp, clientPort));
        assertThat(m.session().socketRemoteIp()).isEqualTo(PROXY_IP);
        assertThat(m.content()).contains("Subject: through nginx");
        assertThat(recorder.problems()).as("nginx said:\n" + nginx.output()).isEmpty();
    }
}
