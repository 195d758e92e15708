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

import static dev.postern.server.RelayDeliveryTest.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code postern queue show} prints each recipient's delivery history: a message to two recipients meets a
 * destination that is down (connection refused), then one that answers RCPT with 4xx (Postfix's smtp-sink
 * {@code -r RCPT}), then a working one while one recipient's domain is held, so the message stays in the
 * queue with one recipient delivered after three attempts. Checked on the running server (admin API) and,
 * once it stopped, on its queue directory: the history is in the state file.
 */
@Timeout(120)
class QueueHistoryCliTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "0123456789abcdef-test-token";

    @TempDir
    Path dir;

    private StandaloneServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(Duration.ZERO);
        }
    }

    private static Run queue(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "queue";
        System.arraycopy(args, 0, all, 1, args.length);
        return ServeCommandTest.run(all);
    }

    private static JsonNode show(String id, String... where) throws IOException {
        List<String> args = new ArrayList<>(List.of("show", "--json", id));
        args.addAll(List.of(where));
        Run r = queue(args.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.err()).isZero();
        return JSON.readTree(r.out());
    }

    private static JsonNode recipient(JsonNode m, String address) {
        for (JsonNode r : m.path("recipients")) {
            if (r.path("address").asText().equals(address)) {
                return r;
            }
        }
        throw new AssertionError("no recipient " + address + " in " + m);
    }

    private static int attempts(JsonNode m, String address) {
        return recipient(m, address).path("attempts").asInt();
    }

    private String[] remote() {
        return new String[] {"--server", "http://127.0.0.1:" + server.httpAddress().getPort(), "--admin-token-file",
                dir.resolve("admin-token").toString()};
    }

    /**
     * Starts the server relaying {@code domains} to 127.0.0.1:{@code relayPort} through a queue in {@code queueDir},
     * retrying hourly (so a failed attempt stays in the history), with the admin API on and its token in
     * admin-token; returns the SMTP port.
     */
    private int startRelaying(Path queueDir, int relayPort, String domains) throws Exception {
        Files.writeString(dir.resolve("admin-token"), TOKEN + "\n");
        server = new StandaloneServer(ServeCommandTest.settings("--listen", "127.0.0.1:0", "--hostname", "mx.test",
                "--queue-dir", queueDir.toString(), "--relay", "smtp://127.0.0.1:" + relayPort,
                "--domains", domains, "--retry-schedule", "1h",
                "--http-listen", "127.0.0.1:0", "--admin", "--admin-token-file", dir.resolve("admin-token").toString()));
        return server.start().port();
    }

    @Test
    void showPrintsTheDeliveryHistoryOfEachRecipient() throws Exception {
        int sinkPort = PeerProcess.freePort();
        Path queueDir = dir.resolve("queue");
        int smtpPort = startRelaying(queueDir, sinkPort, "example.org,example.net");
        try (RawSmtpClient c = new RawSmtpClient(smtpPort)) {
            assertThat(c.reply()).startsWith("220");
            assertThat(c.cmd("EHLO client.example")).startsWith("250");
            assertThat(c.cmd("MAIL FROM:<alice@example.com>")).startsWith("250");
            assertThat(c.cmd("RCPT TO:<bob@example.org>")).startsWith("250");
            assertThat(c.cmd("RCPT TO:<carol@example.net>")).startsWith("250");
            assertThat(c.cmd("DATA")).startsWith("354");
            assertThat(c.cmd("Subject: history\r\n\r\nbody\r\n.")).startsWith("250");
        }
        String[] remote = remote();
        Run list = queue("list", "--json", remote[0], remote[1], remote[2], remote[3]);
        String id = JSON.readTree(list.out()).get(0).get("id").asText();

        // 1: nothing listens on the destination's port
        await("the first attempt", () -> attempts(show(id, remote), "bob@example.org") == 1 ? true : null);

        // 2: a destination that defers every recipient
        try (SmtpSink deferring = SmtpSink.start(dir, "127.0.0.1", sinkPort, "-r", "RCPT")) {
            assertThat(queue("retry", id, remote[0], remote[1], remote[2], remote[3]).exitCode()).isZero();
            await("the second attempt", () -> attempts(show(id, remote), "bob@example.org") == 2 ? true : null);
        }

        // 3: a working destination; example.net held first, so carol stays queued and the message with her
        assertThat(queue("hold", "--recipient-domain", "example.net", remote[0], remote[1], remote[2], remote[3]).exitCode())
                .isZero();
        try (SmtpSink sink = SmtpSink.start(dir, "127.0.0.1", sinkPort)) {
            assertThat(queue("retry", id, remote[0], remote[1], remote[2], remote[3]).exitCode()).isZero();
            await("the delivery", () -> recipient(show(id, remote), "bob@example.org").path("state").asText()
                    .equals("delivered") ? true : null);
            await("the dump", () -> sink.dumps().isEmpty() ? null : true);
        }

        JsonNode bob = recipient(show(id, remote), "bob@example.org");
        assertThat(bob.path("attempts").asInt()).isEqualTo(3);
        JsonNode history = bob.path("history");
        assertThat(history).hasSize(3);
        assertThat(history.get(0).path("outcome").asText()).isEqualTo("deferred");
        assertThat(history.get(0).path("replyCode").asInt()).isZero(); // a local error: no reply at all
        assertThat(history.get(0).path("reply").asText()).isNotEmpty();
        assertThat(history.get(1).path("outcome").asText()).isEqualTo("deferred");
        assertThat(history.get(1).path("replyCode").asInt()).isBetween(400, 499);
        assertThat(history.get(1).path("remote").asText()).contains("127.0.0.1").endsWith(":" + sinkPort);
        assertThat(history.get(2).path("outcome").asText()).isEqualTo("delivered");
        assertThat(history.get(2).path("replyCode").asInt()).isEqualTo(250);
        List<String> times = new ArrayList<>();
        history.forEach(a -> times.add(a.path("time").asText()));
        assertThat(times).isSorted();
        JsonNode carol = recipient(show(id, remote), "carol@example.net");
        assertThat(carol.path("state").asText()).isEqualTo("held");
        assertThat(carol.path("history")).hasSize(2);

        Run text = queue("show", id, remote[0], remote[1], remote[2], remote[3]);
        assertThat(text.exitCode()).as(text.err()).isZero();
        List<String> attemptLines = text.out().lines().filter(l -> l.startsWith("  Attempt: ")).toList();
        assertThat(attemptLines).hasSize(5);
        assertThat(attemptLines.get(2)).contains(" delivered to ", ":" + sinkPort, "\"250");

        // the history is in the state file: the same on the stopped server's queue directory
        server.stop(Duration.ZERO);
        server = null;
        JsonNode offline = show(id, "--queue-dir", queueDir.toString());
        assertThat(recipient(offline, "bob@example.org").path("history")).isEqualTo(history);
        assertThat(recipient(offline, "carol@example.net").path("history")).hasSize(2);
    }

    @Test
    void theHistoryKeepsTheLastTenAttempts() throws Exception {
        int downPort = PeerProcess.freePort();
        Path queueDir = dir.resolve("queue");
        int smtpPort = startRelaying(queueDir, downPort, "example.org");
        try (RawSmtpClient c = new RawSmtpClient(smtpPort)) {
            assertThat(c.deliver("alice@example.com", "bob@example.org", "Subject: again\r\n\r\nbody\r\n")).startsWith("250 ");
        }
        String[] remote = remote();
        String id = JSON.readTree(queue("list", "--json", remote[0], remote[1], remote[2], remote[3]).out()).get(0).get("id")
                .asText();
        int total = 12;
        for (int n = 1; n <= total; n++) {
            int expected = n;
            if (n > 1) {
                assertThat(queue("retry", id, remote[0], remote[1], remote[2], remote[3]).exitCode()).isZero();
            }
            await("attempt " + n, () -> attempts(show(id, remote), "bob@example.org") == expected ? true : null);
        }
        JsonNode bob = recipient(show(id, remote), "bob@example.org");
        assertThat(bob.path("attempts").asInt()).isEqualTo(total);
        assertThat(bob.path("history")).hasSize(10);
        assertThat(bob.path("history").get(9).path("time").asText()).isEqualTo(bob.path("lastAttempt").asText());
        Run text = queue("show", id, remote[0], remote[1], remote[2], remote[3]);
        assertThat(text.out()).contains("(2 older attempt(s) not kept)");
        assertThat(text.out().lines().filter(l -> l.startsWith("  Attempt: "))).hasSize(10)
                .allSatisfy(l -> assertThat(l).contains(" deferred"));

        server.stop(Duration.ZERO);
        server = null;
        assertThat(recipient(show(id, "--queue-dir", queueDir.toString()), "bob@example.org").path("history"))
                .isEqualTo(bob.path("history"));
    }
}
