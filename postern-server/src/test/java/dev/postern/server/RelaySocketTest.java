package dev.postern.server;

import dev.postern.testing.PeerProcess;
import dev.postern.testing.RawSmtpClient;
import dev.postern.testing.TestServer;
import dev.postern.testing.TestServers;
import dev.postern.testing.V2Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code postern serve --relay} over real sockets, in this JVM, towards a destination that is down, so
 * that what is accepted stays queued: who may relay (by the real client address, after PROXY), a full
 * queue, and the queue's gauges.
 */
@Timeout(60)
class RelaySocketTest {

    private static final String CONTENT = "Subject: relay\r\n\r\nHello.\r\n";

    @TempDir
    Path dir;

    @RegisterExtension
    final TestServers servers = new TestServers();

    private StandaloneServer standalone;

    /** {@code postern serve --relay smtp://(a closed port) --domains example.org ARGS} on 127.0.0.1:0. */
    private TestServer serve(String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of("--listen", "127.0.0.1:0", "--hostname", "mx.test",
                "--relay", "smtp://127.0.0.1:" + PeerProcess.freePort(), "--domains", "example.org",
                "--queue-dir", dir.resolve("queue").toString(), "--retry-schedule", "1h"));
        all.addAll(List.of(args));
        standalone = new StandaloneServer(ServeCommandTest.settings(all.toArray(String[]::new)));
        return servers.add(TestServer.of(standalone.start(), () -> standalone.stop(Duration.ZERO)));
    }

    /** The ids of the messages in the queue: its state files (MailQueue's layout). */
    private List<String> queued() throws IOException {
        try (Stream<Path> states = Files.list(dir.resolve("queue/state"))) {
            return states.map(p -> p.getFileName().toString()).toList();
        }
    }

    private static String transaction(RawSmtpClient client, String to) throws IOException {
        assertThat(client.cmd("EHLO client.example")).startsWith("250");
        assertThat(client.cmd("MAIL FROM:<alice@example.com>")).startsWith("250 ");
        return client.cmd("RCPT TO:<" + to + ">");
    }

    @Test
    void aDirectClientOutsideTheRelayNetworksReachesOnlyOurDomains() throws Exception {
        TestServer server = serve("--relay-networks", "10.0.0.0/8");
        try (RawSmtpClient client = new RawSmtpClient(server.port())) {
            assertThat(client.reply()).startsWith("220 ");
            assertThat(transaction(client, "bob@elsewhere.example")).isEqualTo("550 5.7.1 <bob@elsewhere.example>: Relay access denied");
            assertThat(client.cmd("RCPT TO:<bob@mail.example.org>")).as("no subdomains").startsWith("550 5.7.1 ");
            assertThat(client.cmd("RCPT TO:<Bob@Example.ORG>")).startsWith("250 ");
            assertThat(client.cmd("RCPT TO:<Postmaster>")).startsWith("250 ");
        }
    }

    @Test
    void aTrustedProxysHeaderNamingAClientInTheRelayNetworksLetsItRelayAndTheLogNamesTheProxy() throws Exception {
        TestServer server = serve("--relay-networks", "10.0.0.0/8", "--proxy-protocol", "optional",
                "--trusted-proxies", "127.0.0.2/32");
        try (LogCapture log = new LogCapture(); RawSmtpClient proxy = new RawSmtpClient("127.0.0.2", server.port())) {
            proxy.send(V2Header.tcp4("10.1.2.3", 40000, "127.0.0.1", server.port()).bytes());
            assertThat(proxy.reply()).startsWith("220 ");
            assertThat(transaction(proxy, "bob@elsewhere.example")).startsWith("250 ");
            assertThat(proxy.cmd("DATA")).startsWith("354 ");
            assertThat(proxy.cmd(CONTENT + ".")).startsWith("250 ");
            String accepted = log.await(m -> m.contains(" queued as "), Duration.ofSeconds(5));
            assertThat(accepted).matches("\\[\\w+] message \\w+\\.1 queued as [\\w-]+ from <alice@example\\.com> for 1 recipient\\(s\\), "
                    + "\\d+ octets PRX=\\[127\\.0\\.0\\.2]:\\d+");
        }
        assertThat(queued()).hasSize(1);
    }

    @Test
    void anUntrustedProxyHeaderDoesNotHelp() throws Exception {
        TestServer server = serve("--relay-networks", "10.0.0.0/8", "--proxy-protocol", "optional",
                "--trusted-proxies", "127.0.0.2/32");
        try (RawSmtpClient spoofer = new RawSmtpClient("127.0.0.1", server.port())) {
            assertThat(spoofer.reply()).as("greeted at once: not a trusted proxy").startsWith("220 ");
            assertThat(spoofer.cmd("PROXY TCP4 10.1.2.3 127.0.0.1 40000 25")).startsWith("503 ");
            assertThat(transaction(spoofer, "bob@elsewhere.example")).startsWith("550 5.7.1 ");
        }
        try (RawSmtpClient spoofer = new RawSmtpClient("127.0.0.1", server.port())) {
            spoofer.send(V2Header.tcp4("10.1.2.3", 40000, "127.0.0.1", server.port()).bytes());
            assertThat(spoofer.readToClose()).startsWith("220 ")
                    .contains("554 5.5.1 Error: PROXY header not allowed from this address; closing connection");
        }
        assertThat(queued()).isEmpty();
    }

    @Test
    void aFullQueueGives452AtMailBySizeAndByCount() throws Exception {
        TestServer server = serve("--queue-max-messages", "1", "--queue-max-size", "1K");
        try (RawSmtpClient client = new RawSmtpClient(server.port())) {
            assertThat(client.reply()).startsWith("220 ");
            assertThat(client.cmd("EHLO client.example")).startsWith("250");
            assertThat(client.cmd("MAIL FROM:<alice@example.com> SIZE=2000")).isEqualTo("452 4.3.1 Queue full, try again later");
            assertThat(client.cmd("MAIL FROM:<alice@example.com> SIZE=100")).startsWith("250 ");
            assertThat(client.cmd("RCPT TO:<bob@example.org>")).startsWith("250 ");
            assertThat(client.cmd("DATA")).startsWith("354 ");
            assertThat(client.cmd(CONTENT + ".")).startsWith("250 ");
            assertThat(client.cmd("MAIL FROM:<alice@example.com>")).as("one message at most")
                    .isEqualTo("452 4.3.1 Queue full, try again later");
        }
        assertThat(queued()).hasSize(1);
    }

    @Test
    void aMessageLargerThanTheRoomLeftIsRefusedAfterItsData() throws Exception {
        TestServer server = serve("--queue-max-size", "1K");
        try (RawSmtpClient client = new RawSmtpClient(server.port())) {
            assertThat(client.reply()).startsWith("220 ");
            assertThat(transaction(client, "bob@example.org")).startsWith("250 ");
            assertThat(client.cmd("DATA")).startsWith("354 ");
            assertThat(client.cmd("Subject: big\r\n\r\n" + (".".repeat(70) + "\r\n").repeat(20) + "."))
                    .startsWith("452 4.3.1 ");
        }
        assertThat(queued()).isEmpty();
    }

    @Test
    void aSecondServerOnTheSameQueueExitsWith1AndOneLine() throws Exception {
        serve("--relay-networks", "10.0.0.0/8");
        ServeCommandTest.Run second = ServeCommandTest.run("serve", "--listen", "127.0.0.1:0", "--relay", "mx",
                "--domains", "example.org", "--queue-dir", dir.resolve("queue").toString());
        assertThat(second.exitCode()).isEqualTo(1);
        assertThat(second.err()).startsWith("postern: cannot open the queue " + dir.resolve("queue") + ": ")
                .contains("in use");
        assertThat(second.err().strip().lines()).hasSize(1);
    }

    @Test
    void metricsShowTheQueue() throws Exception {
        TestServer server = serve("--http-listen", "127.0.0.1:0");
        try (RawSmtpClient client = new RawSmtpClient(server.port())) {
            assertThat(client.deliver("alice@example.com", "bob@example.org", CONTENT)).startsWith("250 ");
        }
        InetSocketAddress http = standalone.httpAddress();
        URI metrics = URI.create("http://127.0.0.1:" + http.getPort() + "/metrics");
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String body = "";
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        // The destination is down: the first attempt defers the message.
        while (!body.contains("\npostern_queue_deferred_messages 1.0\n") && System.nanoTime() < deadline) {
            Thread.sleep(50);
            body = client.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString()).body();
        }
        long size = Files.size(dir.resolve("queue/content/" + queued().get(0)));
        // The Prometheus client writes every value as a double.
        assertThat(body).contains("# TYPE postern_queue_messages gauge\npostern_queue_messages 1.0\n",
                "# TYPE postern_queue_bytes gauge\npostern_queue_bytes " + (double) size + "\n",
                "# TYPE postern_queue_deferred_messages gauge\npostern_queue_deferred_messages 1.0\n");
    }
}
