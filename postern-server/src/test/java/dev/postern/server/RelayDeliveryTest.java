package dev.postern.server;

import dev.postern.relay.queue.MailQueue;
import dev.postern.relay.testing.Aiosmtpd;
import dev.postern.relay.testing.Dante;
import dev.postern.relay.testing.Dnsmasq;
import dev.postern.relay.testing.SmtpSink;
import dev.postern.relay.testing.SystemUser;
import dev.postern.testing.AngusMail;
import dev.postern.testing.ExternalTool;
import dev.postern.testing.PeerProcess;
import dev.postern.testing.RawSmtpClient;
import dev.postern.testing.Swaks;
import dev.postern.testing.TestServer;
import dev.postern.testing.TestServers;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code postern serve --relay} in this JVM delivering to real peers on loopback: Postfix's smtp-sink
 * (SMTP and LMTP), Dante's danted as the SOCKS5 proxy, dnsmasq for MX records, aiosmtpd for per-recipient
 * 4xx and 5xx replies; swaks and Angus Mail as the sending clients. Each peer missing fails the test.
 */
@Timeout(120)
class RelayDeliveryTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @RegisterExtension
    final TestServers servers = new TestServers();

    /** {@code postern serve ARGS} on 127.0.0.1:0 with hostname mx.test and the queue in the test's directory. */
    private TestServer serve(String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of("--listen", "127.0.0.1:0", "--hostname", "mx.test",
                "--queue-dir", queueDir().toString()));
        all.addAll(List.of(args));
        StandaloneServer standalone = new StandaloneServer(ServeCommandTest.settings(all.toArray(String[]::new)));
        return servers.add(TestServer.of(standalone.start(), () -> standalone.stop(Duration.ZERO)));
    }

    private Path queueDir() {
        return dir.resolve("queue");
    }

    /** Polls {@code value} until it is not null, for at most {@link #WAIT}. */
    static <T> T await(String what, Callable<T> value) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            T v = value.call();
            if (v != null) {
                return v;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no " + what + " within " + WAIT);
    }

    /**
     * What smtp-sink received, once the queue is empty: the sink writes its dump while the data arrives,
     * so a dump is whole only once the sink has said 250 and the message has left the queue.
     */
    private List<String> delivered(SmtpSink sink) throws Exception {
        awaitEmptyQueue();
        return sink.dumps();
    }

    private void awaitEmptyQueue() throws Exception {
        await("an empty queue", () -> {
            try (var states = Files.list(queueDir().resolve("state"))) {
                return states.findAny().isEmpty() ? Boolean.TRUE : null;
            }
        });
    }

    @Test
    void swaksThroughPosternAndDanteToSmtpSinkThenTheStopClosesTheQueue() throws Exception {
        int sinkPort = PeerProcess.freePort();
        int dantePort = PeerProcess.freePort();
        try (SmtpSink sink = SmtpSink.start(dir, "127.0.0.1", sinkPort); Dante dante = Dante.start(dir, dantePort, "none", 0);
             LogCapture log = new LogCapture()) {
            StandaloneServer standalone = new StandaloneServer(ServeCommandTest.settings("--listen", "127.0.0.1:0",
                    "--hostname", "mx.test", "--queue-dir", queueDir().toString(), "--relay", "smtp://127.0.0.1:" + sinkPort,
                    "--socks-proxy", "127.0.0.1 port=" + dantePort, "--domains", "example.org"));
            try {
                ExternalTool.Result swaks = Swaks.run(standalone.start().port(), "--from", "alice@example.com",
                        "--to", "bob@example.org", "--body", "Hello through dante");
                assertThat(swaks.exitCode()).as(swaks.output()).isZero();

                List<String> dumps = delivered(sink);
                assertThat(dumps).hasSize(1);
                assertThat(dumps.get(0)).contains("X-Helo-Args: mx.test\n", "X-Mail-Args: <alice@example.com>",
                        "X-Rcpt-Args: <bob@example.org>\n", "\nHello through dante\n",
                        "\nReceived: from swaks.test (unknown [127.0.0.1]) by mx.test (Postern) with ESMTP id ");
                String delivered = log.await(m -> m.contains(" status=delivered "), WAIT);
                assertThat(delivered).contains(" to=<bob@example.org> remote=127.0.0.1[127.0.0.1]:" + sinkPort
                        + " PRX=[127.0.0.1]:" + dantePort + " status=delivered reply=\"250 2.0.0 Ok");
                String queueId = log.await(m -> m.contains(" queued as "), WAIT).replaceAll(".* queued as (\\S+) .*", "$1");
                assertThat(delivered).startsWith(queueId + " route=smtp://127.0.0.1:" + sinkPort + " ");
            } finally {
                standalone.stop(Duration.ZERO);
            }
            assertThat(log.messages()).contains("queue " + queueDir() + ": stopped delivering");
        }
        try (MailQueue reopened = MailQueue.open(queueDir(), MailQueue.Limits.DEFAULT)) {
            assertThat(reopened.messages()).as("the stop closed the queue and released its lock").isEmpty();
        }
    }

    @Test
    void danteWithAPasswordFromTheConfigFilesPassFile() throws Exception {
        int sinkPort = PeerProcess.freePort();
        int dantePort = PeerProcess.freePort();
        Path passFile = Files.writeString(dir.resolve("socks-password"), "s3cret pass\n");
        Path config = Files.writeString(dir.resolve("postern.yml"), """
                relay: "smtp://127.0.0.1:%d"
                relay-networks: 127.0.0.0/8
                socks-proxy:
                  - address: 127.0.0.1
                    port: 1
                    pri: 2
                    tmo: 1
                  - address: 127.0.0.1
                    port: %d
                    name: pstserve1
                    pass-file: %s
                """.formatted(sinkPort, dantePort, passFile));
        try (SystemUser user = SystemUser.create("pstserve1", "s3cret pass");
             SmtpSink sink = SmtpSink.start(dir, "127.0.0.1", sinkPort); Dante dante = Dante.start(dir, dantePort, "username", 0);
             LogCapture log = new LogCapture()) {
            TestServer server = serve("--config", config.toString());
            Properties props = AngusMail.settings("smtp", server.port());
            Session session = Session.getInstance(props);
            Transport.send(AngusMail.message(session, "alice@example.com", "carol@elsewhere.example", "via dante", "Hello."));

            assertThat(delivered(sink)).singleElement().asString()
                    .contains("X-Rcpt-Args: <carol@elsewhere.example>\n", "Subject: via dante\n");
            assertThat(log.await(m -> m.contains(" status=delivered "), WAIT))
                    .as("the dead proxy of higher priority first, then the one that takes the password")
                    .contains(" PRX=[127.0.0.1]:" + dantePort + " ");
        }
    }

    @Test
    void lmtpToSmtpSink() throws Exception {
        int port = PeerProcess.freePort();
        try (SmtpSink sink = SmtpSink.start(dir, "127.0.0.1", port, "-L")) {
            TestServer server = serve("--relay", "lmtp://127.0.0.1:" + port, "--domains", "example.org", "--relay-tls", "none");
            try (RawSmtpClient client = new RawSmtpClient(server.port())) {
                assertThat(client.deliver("alice@example.com", "bob@example.org", "Subject: lmtp\r\n\r\nHello.\r\n")).startsWith("250 ");
            }
            assertThat(delivered(sink)).singleElement().asString()
                    .contains("X-Client-Proto: LMTP", "X-Rcpt-Args: <bob@example.org>\n", "Subject: lmtp\n");
        }
    }

    @Test
    void mxDeliveryAsDnsmasqSays() throws Exception {
        int sinkPort = PeerProcess.freePort();
        int dnsPort = PeerProcess.freePort();
        try (Dnsmasq dns = Dnsmasq.start(dir, dnsPort, "--mx-host=example.test,mx1.example.test,10",
                "--host-record=mx1.example.test,127.0.0.2");
             SmtpSink sink = SmtpSink.start(dir, "127.0.0.2", sinkPort); LogCapture log = new LogCapture()) {
            TestServer server = serve("--relay", "mx", "--dns-server", "127.0.0.1:" + dnsPort, "--mx-port", String.valueOf(sinkPort),
                    "--domains", "example.test");
            try (RawSmtpClient client = new RawSmtpClient(server.port())) {
                assertThat(client.deliver("alice@example.com", "bob@example.test", "Subject: mx\r\n\r\nHello.\r\n")).startsWith("250 ");
            }
            assertThat(delivered(sink)).singleElement().asString().contains("X-Rcpt-Args: <bob@example.test>\n");
            assertThat(log.await(m -> m.contains(" status=delivered "), WAIT))
                    .contains(" route=example.test to=<bob@example.test> remote=mx1.example.test[127.0.0.2]:" + sinkPort + " ");
        }
    }

    @Test
    void aGreylistingDestinationIsRetriedOnTheSchedule() throws Exception {
        int port = PeerProcess.freePort();
        try (Aiosmtpd destination = Aiosmtpd.start(dir, port); LogCapture log = new LogCapture()) {
            TestServer server = serve("--relay", "smtp://127.0.0.1:" + port, "--domains", "example.org", "--retry-schedule", "1s");
            try (RawSmtpClient client = new RawSmtpClient(server.port())) {
                assertThat(client.deliver("alice@example.com", "later@example.org", "Subject: greylisted\r\n\r\nHello.\r\n"))
                        .startsWith("250 ");
            }
            Aiosmtpd.Event message = await("the message at aiosmtpd",
                    () -> destination.messages().isEmpty() ? null : destination.messages().get(0));
            assertThat(message.get("to")).isEqualTo("later@example.org");
            assertThat(log.messages()).anySatisfy(m -> assertThat(m).contains(" to=<later@example.org> ", " attempt=1 status=deferred ",
                    "(451 4.7.1 <later@example.org>: greylisted, come back later)"));
            assertThat(log.await(m -> m.contains(" attempt=2 status=delivered "), WAIT)).contains(" to=<later@example.org> ");
            awaitEmptyQueue();
        }
    }

    @Test
    void aRefusedRecipientIsBouncedToItsSenderAsAMultipartReport() throws Exception {
        int port = PeerProcess.freePort();
        try (Aiosmtpd destination = Aiosmtpd.start(dir, port)) {
            TestServer server = serve("--relay", "smtp://127.0.0.1:" + port, "--domains", "example.org");
            try (RawSmtpClient client = new RawSmtpClient(server.port())) {
                assertThat(client.deliver("alice@example.org", "reject@example.org",
                        "Subject: doomed\r\nMessage-ID: <doomed@example.org>\r\n\r\nHello.\r\n")).startsWith("250 ");
            }
            Aiosmtpd.Event bounce = await("the DSN at aiosmtpd",
                    () -> destination.messages().stream().filter(e -> e.get("to").equals("alice@example.org")).findFirst().orElse(null));
            assertThat(bounce.get("sender")).as("a DSN has the null sender").isEqualTo("<>");
            MimeMessage dsn = new MimeMessage(Session.getInstance(new Properties()),
                    new ByteArrayInputStream(bounce.data().getBytes(StandardCharsets.UTF_8)));
            assertThat(dsn.getContentType()).startsWith("multipart/report").contains("report-type=delivery-status");
            MimeMultipart parts = (MimeMultipart) dsn.getContent();
            assertThat(parts.getBodyPart(1).getContentType()).startsWith("message/delivery-status");
            String status = new String(parts.getBodyPart(1).getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(status).contains("Final-Recipient: rfc822; reject@example.org", "Action: failed", "Status: 5.1.1",
                    "Reporting-MTA: dns; mx.test");
            String returned = new String(parts.getBodyPart(2).getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(returned).as("the original headers").contains("Message-ID: <doomed@example.org>");
            awaitEmptyQueue();
        }
    }

    @Test
    void aDestinationThatVanishesMidDataGetsTheMessageWhenItIsBack() throws Exception {
        int port = PeerProcess.freePort();
        // One directory per sink, each reachable by the user smtp-sink writes its dumps as.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        Path first = Files.createDirectories(dir.resolve("first"));
        Path second = Files.createDirectories(dir.resolve("second"));
        // 12 MB, one line of 998 octets after another: more than the socket buffers hold while the sink does
        // not read (-H: it waits 60 s after DATA; -T: a small TCP window), so the kill lands mid-DATA.
        String line = "y".repeat(998) + "\r\n";
        String content = "Subject: big\r\n\r\n" + line.repeat(12_000);
        try (LogCapture log = new LogCapture()) {
            TestServer server;
            try (SmtpSink stalling = SmtpSink.start(first, "127.0.0.1", port, "-v", "-H", "60", "-T", "2048")) {
                server = serve("--relay", "smtp://127.0.0.1:" + port, "--domains", "example.org", "--retry-schedule", "1s");
                try (RawSmtpClient client = new RawSmtpClient(server.port())) {
                    client.setReadTimeout(60_000);
                    assertThat(client.deliver("alice@example.com", "bob@example.org", content)).startsWith("250 ");
                }
                await("DATA at the stalling sink", () -> stalling.peer().output().contains(": DATA\n") ? Boolean.TRUE : null);
                Thread.sleep(500);
                stalling.peer().kill();
                assertThat(log.await(m -> m.contains(" status=deferred "), WAIT)).contains(" to=<bob@example.org> ")
                        .containsAnyOf("connection lost", "connection closed", "connection reset");
            }
            try (SmtpSink sink = SmtpSink.start(second, "127.0.0.1", port)) {
                assertThat(log.await(m -> m.contains(" status=delivered "), WAIT)).contains(" to=<bob@example.org> ");
                List<String> dumps = delivered(sink);
                assertThat(dumps).hasSize(1);
                assertThat(dumps.get(0).substring(0, 1000)).contains("X-Rcpt-Args: <bob@example.org>\n", "Subject: big\n");
                assertThat(dumps.get(0).lines().filter(l -> l.equals("y".repeat(998))).count()).as("every line, once")
                        .isEqualTo(12_000);
            }
        }
    }
}
