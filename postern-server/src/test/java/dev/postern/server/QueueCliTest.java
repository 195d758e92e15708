package dev.postern.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postern.relay.testing.SmtpSink;
import dev.postern.server.ServeCommandTest.Run;
import dev.postern.testing.PeerProcess;
import dev.postern.testing.RawSmtpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;

import static dev.postern.server.RelayDeliveryTest.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scenario for {@code postern queue}, with the command line as an operator runs it: 20 messages
 * queued for a destination that is down (a port where nothing listens), listed as text and JSON, a domain
 * held, one message deleted, everything retried once the destination (Postfix's smtp-sink) is up, and
 * exactly the right messages arrive. Once against a running server through its admin endpoint, once on a
 * stopped server's queue directory.
 */
@Timeout(120)
class QueueCliTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "0123456789abcdef-test-token";

    @TempDir
    Path dir;

    private final List<StandaloneServer> running = new ArrayList<>();
    private int sinkPort;
    /** The SMTP port of the last server started. */
    private int smtpPort;
    private Path tokenFile;

    @AfterEach
    void stopServers() {
        running.forEach(s -> s.stop(Duration.ZERO));
    }

    private Path queueDir() {
        return dir.resolve("queue");
    }

    /** A relay to 127.0.0.1:sinkPort, no automatic retry within the test, the admin API on a free port. */
    private StandaloneServer serve() throws IOException {
        if (tokenFile == null) {
            sinkPort = PeerProcess.freePort();
            tokenFile = Files.writeString(dir.resolve("admin-token"), TOKEN + "\n");
        }
        StandaloneServer s = new StandaloneServer(ServeCommandTest.settings("--listen", "127.0.0.1:0", "--hostname", "mx.test",
                "--queue-dir", queueDir().toString(), "--relay", "smtp://127.0.0.1:" + sinkPort,
                "--domains", "example.org,example.net", "--retry-schedule", "1h",
                "--http-listen", "127.0.0.1:0", "--admin", "--admin-token-file", tokenFile.toString()));
        smtpPort = s.start().port();
        running.add(s);
        return s;
    }

    private static String url(StandaloneServer s) {
        return "http://127.0.0.1:" + s.httpAddress().getPort();
    }

    /** Messages 0..9 to bob@example.org, 10..19 to carol@example.net, each with its number in the subject. */
    private void send20() throws IOException {
        int port = smtpPort;
        for (int i = 0; i < 20; i++) {
            try (RawSmtpClient c = new RawSmtpClient(port)) {
                String to = i < 10 ? "bob@example.org" : "carol@example.net";
                String reply = c.deliver("alice@example.com", to, "From: alice@example.com\r\nTo: " + to
                        + "\r\nSubject: message " + i + "\r\nMessage-ID: <m" + i + "@example.com>\r\n\r\nbody " + i + "\r\n");
                assertThat(reply).startsWith("250 ");
            }
        }
    }

    private static Run queue(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "queue";
        System.arraycopy(args, 0, all, 1, args.length);
        return ServeCommandTest.run(all);
    }

    private static JsonNode json(Run r) throws IOException {
        assertThat(r.exitCode()).as(r.err()).isZero();
        return JSON.readTree(r.out());
    }

    private static List<JsonNode> messages(JsonNode array) {
        assertThat(array.isArray()).isTrue();
        return StreamSupport.stream(array.spliterator(), false).toList();
    }

    private static String subjectOf(String dump) {
        return dump.lines().filter(l -> l.startsWith("Subject: ")).findFirst().orElseThrow();
    }

    @Test
    void operatorScenarioOnARunningServer() throws Exception {
        StandaloneServer s = serve();
        send20();
        String[] remote = {"--server", url(s), "--admin-token-file", tokenFile.toString()};

        // every message tried once and deferred: the destination is down
        List<JsonNode> listed = await("20 deferred messages", () -> {
            List<JsonNode> m = messages(json(queue(concat("list", "--json", remote))));
            return m.size() == 20 && m.stream().allMatch(x -> x.at("/recipients/0/state").asText().equals("deferred")) ? m : null;
        });
        assertThat(listed).allSatisfy(m -> {
            assertThat(m.get("id").asText()).matches("[0-9a-z]+-[0-9a-z]+-[0-9a-z]+");
            assertThat(m.get("sender").asText()).isEqualTo("alice@example.com");
            assertThat(m.at("/recipients/0/attempts").asInt()).isEqualTo(1);
            assertThat(m.at("/recipients/0/lastReply").asText()).isNotEmpty();
        });

        Run text = queue(concat("list", remote));
        assertThat(text.exitCode()).isZero();
        List<String> lines = text.out().lines().toList();
        assertThat(lines).hasSize(21);
        assertThat(lines.get(0)).startsWith(listed.get(0).get("id").asText()).contains("<alice@example.com>",
                "<bob@example.org> deferred x1", "next=in ", "reply=\"");
        assertThat(lines.get(20)).startsWith("-- 20 message(s), ").endsWith(" 20 deferred, 0 held");

        Run held = queue(concat("hold", "--recipient-domain", "example.net", remote));
        assertThat(held.exitCode()).as(held.err()).isZero();
        assertThat(held.out()).isEqualTo("hold example.net: 10 message(s)\n");
        assertThat(messages(json(queue(concat("list", "--json", "--state", "held", remote))))).hasSize(10)
                .allSatisfy(m -> assertThat(m.at("/recipients/0/address").asText()).isEqualTo("carol@example.net"));

        String deleted = listed.get(3).get("id").asText(); // message 3, to bob@example.org
        assertThat(queue(concat("delete", deleted, remote)).out()).isEqualTo("delete " + deleted + ": done\n");
        assertThat(queue(concat("delete", deleted, remote)).exitCode()).isEqualTo(1);

        Run shown = queue(concat("show", listed.get(0).get("id").asText(), remote));
        assertThat(shown.exitCode()).isZero();
        assertThat(shown.out()).contains("Sender:   <alice@example.com>", "Rcpt:     <bob@example.org> deferred, 1 attempt(s)",
                "Subject: message 0", "Message-ID: <m0@example.com>");
        Run raw = queue(concat("show", "--raw", listed.get(0).get("id").asText(), remote));
        assertThat(raw.out()).contains("Received: from client.example", "\r\n\r\nbody 0\r\n");

        try (SmtpSink sink = SmtpSink.start(dir, "127.0.0.1", sinkPort)) {
            Run retry = queue(concat("retry", "--all", remote));
            assertThat(retry.out()).isEqualTo("retry all: 19 message(s)\n");
            List<String> dumps = await("9 deliveries", () -> {
                // the queue first: a dump is whole once its message has left the queue
                if (!(messages(json(queue(concat("list", "--json", remote)))).size() == 10)) {
                    return null;
                }
                List<String> d = sink.dumps();
                return d.size() >= 9 ? d : null;
            });
            assertThat(dumps.stream().map(QueueCliTest::subjectOf).sorted().toList())
                    .containsExactlyElementsOf(subjects(0, 1, 2, 4, 5, 6, 7, 8, 9));
            assertThat(dumps).allSatisfy(d -> assertThat(d).contains("X-Rcpt-Args: <bob@example.org>"));
            assertThat(messages(json(queue(concat("list", "--json", remote)))))
                    .allSatisfy(m -> assertThat(m.at("/recipients/0/state").asText()).isEqualTo("held"));

            assertThat(queue(concat("release", "--recipient-domain", "example.net", remote)).out())
                    .isEqualTo("release example.net: 10 message(s)\n");
            List<String> all = await("19 deliveries", () -> {
                // the queue first: a dump is whole once its message has left the queue
                if (!(messages(json(queue(concat("list", "--json", remote)))).isEmpty())) {
                    return null;
                }
                List<String> d = sink.dumps();
                return d.size() >= 19 ? d : null;
            });
            assertThat(all).hasSize(19);
        }
    }

    @Test
    void operatorScenarioOnAStoppedServersQueueDirectory() throws Exception {
        StandaloneServer s = serve();
        send20();
        String[] remote = {"--server", url(s), "--admin-token-file", tokenFile.toString()};
        await("20 deferred messages", () -> {
            List<JsonNode> m = messages(json(queue(concat("list", "--json", remote))));
            return m.size() == 20 && m.stream().allMatch(x -> x.at("/recipients/0/attempts").asInt() == 1) ? m : null;
        });
        String[] local = {"--queue-dir", queueDir().toString()};
        Run inUse = queue(concat("list", local));
        assertThat(inUse.exitCode()).isEqualTo(2);
        assertThat(inUse.err()).startsWith("postern: queue ").contains("in use", "use --server http://HOST:PORT");

        s.stop(Duration.ZERO);
        running.clear();

        List<JsonNode> listed = messages(json(queue(concat("list", "--json", local))));
        assertThat(listed).hasSize(20);
        Run text = queue(concat("list", local));
        assertThat(text.out().lines().toList()).hasSize(21).last().asString().startsWith("-- 20 message(s), ");
        assertThat(queue(concat("hold", "--recipient-domain", "example.net", local)).out())
                .isEqualTo("hold example.net: 10 message(s)\n");
        String deleted = listed.get(3).get("id").asText();
        assertThat(queue(concat("delete", deleted, local)).exitCode()).isZero();
        assertThat(queue(concat("delete", deleted, local)).exitCode()).isEqualTo(1);
        assertThat(queue(concat("retry", "--all", local)).out()).isEqualTo("retry all: 19 message(s)\n");
        List<JsonNode> after = messages(json(queue(concat("list", "--json", local))));
        assertThat(after).hasSize(19);
        // the retry is written down: due now, for the next start
        assertThat(after.stream().filter(m -> m.at("/recipients/0/state").asText().equals("deferred")))
                .hasSize(9).allSatisfy(m -> assertThat(m.get("nextAttempt").asText())
                        .isLessThanOrEqualTo(java.time.Instant.now().toString()));

        try (SmtpSink sink = SmtpSink.start(dir, "127.0.0.1", sinkPort)) {
            StandaloneServer again = serve();
            String[] remote2 = {"--server", url(again), "--admin-token-file", tokenFile.toString()};
            List<String> dumps = await("9 deliveries", () -> {
                // the queue first: a dump is whole once its message has left the queue
                if (!(messages(json(queue(concat("list", "--json", remote2)))).size() == 10)) {
                    return null;
                }
                List<String> d = sink.dumps();
                return d.size() >= 9 ? d : null;
            });
            assertThat(dumps.stream().map(QueueCliTest::subjectOf).sorted().toList())
                    .containsExactlyElementsOf(subjects(0, 1, 2, 4, 5, 6, 7, 8, 9));
        }
    }

    @Test
    void exitCodesForBadInputAndMissingMessages() throws Exception {
        StandaloneServer s = serve();
        String[] remote = {"--server", url(s), "--admin-token-file", tokenFile.toString()};
        assertThat(queue(concat("show", "aaaa-bbb-ccc", remote)).exitCode()).isEqualTo(1);
        assertThat(queue(concat("hold", "aaaa-bbb-ccc", remote)).exitCode()).isEqualTo(1);
        assertThat(queue(concat("bounce", "aaaa-bbb-ccc", remote)).exitCode()).isEqualTo(1);
        Run badId = queue(concat("show", "../etc/passwd", remote));
        assertThat(badId.exitCode()).isEqualTo(2);
        assertThat(badId.err()).startsWith("postern: not a queue id");
        assertThat(queue(concat("hold", remote)).exitCode()).isEqualTo(2);
        assertThat(queue(concat("delete", "aaaa-bbb-ccc", "--all-deferred", remote)).exitCode()).isEqualTo(2);
        assertThat(queue(concat("list", "--state", "lost", remote)).exitCode()).isEqualTo(2);
        assertThat(queue("list", "--server", url(s), "--queue-dir", queueDir().toString()).exitCode()).isEqualTo(2);
        assertThat(queue("list", "--server", "ftp://127.0.0.1:1").exitCode()).isEqualTo(2);

        Run noToken = queue("retry", "--all", "--server", url(s));
        assertThat(noToken.exitCode()).isEqualTo(2);
        assertThat(noToken.err()).contains("needs the admin token");
        Path wrong = Files.writeString(dir.resolve("wrong-token"), "not-the-right-token-at-all\n");
        Run refused = queue("retry", "--all", "--server", url(s), "--admin-token-file", wrong.toString());
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err()).contains("401", "wrong admin token");
        Run down = queue("list", "--server", "http://127.0.0.1:" + PeerProcess.freePort());
        assertThat(down.exitCode()).isEqualTo(2);
        assertThat(down.err()).contains("cannot connect");
        Run noQueue = queue("list", "--queue-dir", dir.resolve("nothing").toString());
        assertThat(noQueue.exitCode()).isEqualTo(2);
        assertThat(noQueue.err()).contains("no queue in");
        assertThat(Files.exists(dir.resolve("nothing"))).isFalse();
        Run empty = queue(concat("list", "--json", remote));
        assertThat(messages(json(empty))).isEmpty();
        assertThat(queue(concat("list", remote)).out()).isEqualTo("-- 0 message(s), 0 octets, 0 deferred, 0 held\n");
    }

    @Test
    void bounceReturnsTheMessageToItsSenderWithADsn() throws Exception {
        StandaloneServer s = serve();
        String[] remote = {"--server", url(s), "--admin-token-file", tokenFile.toString()};
        try (RawSmtpClient c = new RawSmtpClient(smtpPort)) {
            assertThat(c.deliver("alice@example.com", "bob@example.org", "Subject: to bounce\r\n\r\nbody\r\n")).startsWith("250 ");
        }
        JsonNode queued = await("a deferred message", () -> {
            List<JsonNode> m = messages(json(queue(concat("list", "--json", remote))));
            return m.size() == 1 && m.get(0).at("/recipients/0/attempts").asInt() == 1 ? m.get(0) : null;
        });
        String id = queued.get("id").asText();
        Run bounced = queue(concat("bounce", id, "--json", remote));
        assertThat(json(bounced).get("changed").asBoolean()).isTrue();
        List<JsonNode> after = messages(json(queue(concat("list", "--json", remote))));
        assertThat(after).hasSize(1);
        assertThat(after.get(0).get("id").asText()).isNotEqualTo(id);
        assertThat(after.get(0).get("sender").asText()).isEmpty();
        assertThat(after.get(0).at("/recipients/0/address").asText()).isEqualTo("alice@example.com");
        Run dsn = queue(concat("show", after.get(0).get("id").asText(), remote));
        assertThat(dsn.out()).contains("Sender:   <>", "From: Mail Delivery System <MAILER-DAEMON@mx.test>");
        assertThat(queue(concat("bounce", id, remote)).exitCode()).isEqualTo(1);
    }

    @Test
    void helpListsTheCommandsAndTheirOptions() {
        Run help = queue("--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("list", "show", "retry", "delete", "hold", "release", "bounce", "Exit codes");
        Run listHelp = queue("list", "--help");
        assertThat(listHelp.exitCode()).isZero();
        assertThat(listHelp.out()).contains("--server", "--admin-token-file", "--queue-dir", "--json", "--recipient-domain", "--state");
        Run none = queue();
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).contains("missing command");
    }

    private static List<String> subjects(int... numbers) {
        List<String> s = new ArrayList<>();
        for (int n : numbers) {
            s.add("Subject: message " + n);
        }
        return s;
    }

    /** The arguments, each a String or a String[] spliced in. */
    private static String[] concat(Object... parts) {
        List<String> all = new ArrayList<>();
        for (Object p : parts) {
            if (p instanceof String[] many) {
                all.addAll(List.of(many));
            } else {
                all.add((String) p);
            }
        }
        return all.toArray(String[]::new);
    }
}
