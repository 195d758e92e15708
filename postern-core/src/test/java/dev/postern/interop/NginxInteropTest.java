package dev.postern.interop;

import dev.postern.proxy.ProxyInfo;
import dev.postern.testing.PeerProcess;
import dev.postern.testing.TestServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetSocketAddress;

/**
 * nginx 1.22's stream module in front of Postern, as a child process on loopback. nginx sends the v1
 * (text) header. The client connects from 127.0.0.9 (or ::1) and nginx from 127.0.0.1.
 */
class NginxInteropTest extends InteropTestBase {

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

    @ParameterizedTest(name = "client {0}")
    @CsvSource({"127.0.0.9, 127.0.0.1, TCP4", "::1, ::1, TCP6"})
    void streamProxyProtocolTellsTheRealClient(String clientIp, String listenIp, ProxyInfo.Transport transport)
            throws Exception {
        TestServer server = startPostern(c -> c.clearListeners().listen(requiringProxyFrom(PROXY_IP + "/32")));
        int proxyPort = PeerProcess.freePort();
        PeerProcess nginx = startNginx(STREAM_RELAY, proxyPort, server.port());

        int clientPort = PeerProcess.freePort(clientIp);
        try (MailClient c = new MailClient(clientIp, clientPort, listenIp, proxyPort)) {
            c.send("through nginx");
        }

        assertRelayed(nginx, new InetSocketAddress(clientIp, clientPort), new InetSocketAddress(listenIp, proxyPort),
                1, transport, "through nginx");
    }
}
