package dev.postern;

import dev.postern.auth.AuthConfig;
import dev.postern.auth.AuthMechanism;
import dev.postern.auth.Credentials;
import dev.postern.proxy.ProxyInfo;
import dev.postern.proxy.ProxyProtocolMode;
import dev.postern.proxy.TrustedSources;
import dev.postern.testing.RawSmtpClient;
import dev.postern.testing.TestServer;
import dev.postern.testing.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The session details over a real connection: listener names, host names, AUTH, the transaction id. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SessionDetailsSocketTest {

    @RegisterExtension
    final TestServers servers = new TestServers();

    static final class Seen implements SmtpHandler {
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();
        final List<String> log = new CopyOnWriteArrayList<>();

        @Override
        public ProxyInfo onProxy(SmtpSession session, ProxyInfo proxy) {
            if (proxy.source().getAddress().getHostAddress().equals("192.0.2.10")) {
                session.setRemoteHostName("named-by-hook.example"); // the application's own resolver
            }
            return proxy;
        }

        @Override
        public void onConnect(SmtpSession s) {
            events.add("connect " + s.listener().name() + " " + s.serverHostname() + " " + s.clientHostname());
        }

        @Override
        public String onAuth(SmtpSession session, Credentials c) {
            return null;
        }

        @Override
        public void onMessage(SmtpSession s, ReceivedMessage m) {
            var a = s.authentication().orElseThrow();
            events.add("message " + m.id() + "=" + s.transactionId().orElseThrow() + " " + a.mechanism() + " "
                    + a.authenticationId() + " " + !m.completedAt().isBefore(m.receivedAt()));
        }

        @Override
        public void onLogEvent(SmtpSession session, LogLevel level, String message, Throwable error) {
            log.add(message);
        }
    }

    @Test
    void detailsReachTheHooks() throws Exception {
        Seen seen = new Seen();
        TestServer server = servers.start(seen, c -> c.clearListeners()
                .listen(TestServer.loopback().withName("submission"))
                .listen(TestServer.loopback().withName("behind-proxy")
                        .withProxyProtocol(ProxyProtocolMode.REQUIRED, TrustedSources.parse("127.0.0.1")))
                .reverseDnsLookup(true)
                .auth(AuthConfig.of(AuthMechanism.PLAIN).andAllowPlaintext()));
        try (RawSmtpClient c = new RawSmtpClient("127.0.0.5", server.port(0))) {
            assertThat(c.reply()).startsWith("220");
            c.cmd("EHLO x");
            assertThat(c.cmd("AUTH PLAIN " + Base64.getEncoder().encodeToString("\0alice\0pw".getBytes(StandardCharsets.UTF_8))))
                    .startsWith("235");
            assertThat(c.deliverAfterGreeting("a@b.test", "c@d.test", "Subject: x\r\n\r\nhi\r\n"))
                    .startsWith("250 2.0.0 Ok: queued as ");
        }
        String connect = seen.events.poll(10, TimeUnit.SECONDS);
        // the reverse lookup of 127.0.0.5 may or may not name it: either way a name, else the literal
        assertThat(connect).startsWith("connect submission mx.test ");
        assertThat(seen.events.poll(10, TimeUnit.SECONDS)).matches("message (\\S+)=\\1 PLAIN alice true");

        try (RawSmtpClient c = new RawSmtpClient("127.0.0.1", server.port(1))) {
            c.send("PROXY TCP4 192.0.2.10 198.51.100.1 40000 25\r\n");
            assertThat(c.reply()).startsWith("220");
        }
        assertThat(seen.events.poll(10, TimeUnit.SECONDS)).isEqualTo("connect behind-proxy mx.test named-by-hook.example");
        assertThat(seen.log).anyMatch(l -> l.startsWith("connect from 192.0.2.10:40000 via 127.0.0.1:") && l.endsWith(" on behind-proxy"));
    }

    @Test
    void withoutReverseDnsTheClientHostnameIsTheAddressLiteral() throws Exception {
        Seen seen = new Seen();
        TestServer server = servers.start(seen, c -> c.clearListeners().listen(TestServer.loopback().withName("mx")));
        try (RawSmtpClient c = new RawSmtpClient("127.0.0.6", server.port())) {
            assertThat(c.reply()).startsWith("220");
        }
        assertThat(seen.events.poll(10, TimeUnit.SECONDS)).isEqualTo("connect mx mx.test [127.0.0.6]");
    }
}
