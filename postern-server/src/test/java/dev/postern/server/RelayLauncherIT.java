package dev.postern.server;

import dev.postern.relay.testing.Dante;
import dev.postern.relay.testing.SmtpSink;
import dev.postern.testing.ExternalTool;
import dev.postern.testing.PeerProcess;
import dev.postern.testing.RawSmtpClient;
import dev.postern.testing.Swaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ./postern serve --relay} as a user runs it: relaying through danted to smtp-sink, refusing to
 * start as an open relay, and killed with SIGKILL with messages queued and with deliveries in flight, then
 * started again on the same queue: every message that got 250 is delivered, none is lost, and a message is
 * delivered twice only if its attempt was in flight at the kill (at most --max-deliveries of them).
 */
@Timeout(180)
class RelayLauncherIT extends LauncherFixture {

    private static final Pattern SUBJECT = Pattern.compile("(?m)^Subject: (crash-\\d+)$");

    private Path queueDir() {
        return dir.resolve("queue");
    }

    /** {@code ./postern serve --relay smtp://127.0.0.1:SINK} on {@code port}, for example.org, retrying every second. */
    private Process relay(String name, int port, int sinkPort, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("serve", "--listen", "127.0.0.1:" + port, "--hostname", "mx.test",
                "--relay", "smtp://127.0.0.1:" + sinkPort, "--domains", "example.org", "--queue-dir", queueDir().toString(),
                "--retry-schedule", "1s", "--shutdown-grace", "2s"));
        args.addAll(List.of(more));
        Process p = launcher.start(name, args.toArray(String[]::new));
        launcher.awaitListening(p, name, port);
        return p;
    }

    /** Sends messages crash-0 ... crash-(n-1) in one session; returns the subjects that got 250. */
    private static List<String> send(int port, int n) throws IOException {
        List<String> acknowledged = new ArrayList<>();
        try (RawSmtpClient client = new RawSmtpClient(port)) {
            assertThat(client.reply()).startsWith("220 ");
            assertThat(client.cmd("EHLO client.example")).startsWith("250");
            for (int i = 0; i < n; i++) {
                assertThat(client.cmd("MAIL FROM:<alice@example.com>")).startsWith("250 ");
                assertThat(client.cmd("RCPT TO:<bob@example.org>")).startsWith("250 ");
                assertThat(client.cmd("DATA")).startsWith("354 ");
                if (client.cmd("Subject: crash-" + i + "\r\n\r\nBody " + i + "\r\n.").startsWith("250 ")) {
                    acknowledged.add("crash-" + i);
                }
            }
        }
        return acknowledged;
    }

    /** How often each crash-N subject reached the sink. */
    private static Map<String, Long> received(SmtpSink sink) throws IOException {
        List<String> subjects = new ArrayList<>();
        for (String dump : sink.dumps()) {
            Matcher m = SUBJECT.matcher(dump);
            if (m.find()) {
                subjects.add(m.group(1));
            }
        }
        return subjects.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    private static Map<String, Long> awaitAll(SmtpSink sink, List<String> subjects) throws Exception {
        return RelayDeliveryTest.await("all " + subjects.size() + " messages at smtp-sink", () -> {
            Map<String, Long> got = received(sink);
            return got.keySet().containsAll(subjects) ? got : null;
        });
    }

    @Test
    void relaysThroughDanteToSmtpSinkAndStopsOnSigterm() throws Exception {
        int port = PeerProcess.freePort();
        int sinkPort = PeerProcess.freePort();
        int dantePort = PeerProcess.freePort();
        try (SmtpSink sink = SmtpSink.start(dir, "127.0.0.1", sinkPort); Dante dante = Dante.start(dir, dantePort, "none", 0)) {
            Process server = relay("postern", port, sinkPort, "--socks-proxy", "127.0.0.1 port=" + dantePort);
            ExternalTool.Result swaks = Swaks.run(port, "--from", "alice@example.com", "--to", "bob@example.org",
                    "--header", "Subject: crash-0", "--body", "through dante");
            assertThat(swaks.exitCode()).as(swaks.output()).isZero();
            assertThat(awaitAll(sink, List.of("crash-0"))).containsEntry("crash-0", 1L);
            assertThat(sink.dumps().get(0)).contains("X-Mail-Args: <alice@example.com>", "X-Rcpt-Args: <bob@example.org>\n",
                    "Received: from swaks.test (unknown [127.0.0.1]) by mx.test (Postern) with ESMTP id ");

            server.destroy(); // SIGTERM
            assertThat(Launcher.exitCode(server, 30)).as(launcher.err("postern")).isZero();
            String err = launcher.err("postern");
            assertThat(err).contains("Postern mx.test listening on 127.0.0.1:" + port + ", relaying to smtp://127.0.0.1:" + sinkPort
                            + " through the queue " + queueDir(),
                    "relay: domains example.org, relay networks none; through SOCKS5 [127.0.0.1]:" + dantePort,
                    " queued as ",
                    " to=<bob@example.org> remote=127.0.0.1[127.0.0.1]:" + sinkPort + " PRX=[127.0.0.1]:" + dantePort
                            + " status=delivered",
                    "stopping: open sessions get PT2S to finish, then deliveries in flight as long",
                    "queue " + queueDir() + ": stopped delivering");
        }
    }

    @Test
    void relayWithoutDomainsOrRelayNetworksExitsTwoWithOneLine() throws Exception {
        Process p = launcher.start("postern", "serve", "--relay", "mx", "--listen", "127.0.0.1:" + PeerProcess.freePort());
        assertThat(Launcher.exitCode(p, 60)).isEqualTo(2);
        assertThat(launcher.err("postern")).isEqualTo("postern: --relay needs --domains (accepted from anyone) or "
                + "--relay-networks (clients that may relay anywhere): Postern is never an open relay\n");
    }

    @Test
    void killedWithMessagesQueuedDeliversEveryAcknowledgedOneOnceAfterRestart() throws Exception {
        int port = PeerProcess.freePort();
        int sinkPort = PeerProcess.freePort();
        Process first = relay("first", port, sinkPort);
        List<String> acknowledged = send(port, 20);
        assertThat(acknowledged).hasSize(20);
        first.destroyForcibly(); // SIGKILL, the destination still down
        Launcher.exitCode(first, 10);

        try (SmtpSink sink = SmtpSink.start(dir, "127.0.0.1", sinkPort)) {
            relay("second", port, sinkPort);
            Map<String, Long> received = awaitAll(sink, acknowledged);
            assertThat(received.values()).as("nothing was in flight: no duplicate").containsOnly(1L);
            assertThat(launcher.err("second")).contains("delivering, 20 message(s) queued");
        }
    }

    @Test
    void killedWithDeliveriesInFlightLosesNothingAndRepeatsOnlyWhatWasInFlight() throws Exception {
        int port = PeerProcess.freePort();
        int sinkPort = PeerProcess.freePort();
        int maxDeliveries = 4;
        // The sink waits 2 s before its reply to the end of each message: deliveries are in flight for a while,
        // each with the whole message already at the sink.
        try (SmtpSink sink = SmtpSink.start(dir, "127.0.0.1", sinkPort, "-W", ".:2")) {
            Process first = relay("first", port, sinkPort, "--max-deliveries", String.valueOf(maxDeliveries));
            List<String> acknowledged = send(port, 16);
            assertThat(acknowledged).hasSize(16);
            // The first replies have come (some messages are delivered), and the next attempts have started.
            RelayDeliveryTest.await("a delivered message", () -> launcher.err("first").contains(" status=delivered ") ? true : null);
            Thread.sleep(500);
            first.destroyForcibly(); // SIGKILL
            Launcher.exitCode(first, 10);
            List<String> removed = removedBeforeTheKill(launcher.err("first"));
            assertThat(removed).as("some were delivered, some not yet").isNotEmpty().hasSizeLessThan(16);

            relay("second", port, sinkPort, "--max-deliveries", String.valueOf(maxDeliveries));
            Map<String, Long> received = awaitAll(sink, acknowledged);
            for (String subject : removed) {
                assertThat(received.get(subject)).as(subject + ": its delivery was on disk before the kill").isEqualTo(1L);
            }
            long duplicates = received.values().stream().mapToLong(n -> n - 1).sum();
            assertThat(duplicates).as("only attempts in flight at the kill are repeated: " + received).isLessThanOrEqualTo(maxDeliveries);
            assertThat(received.values()).allMatch(n -> n <= 2);
        }
    }

    /**
     * The subjects whose messages the first server removed from its queue, delivered, before it was killed: its
     * log names the queue id of the session's n-th message (crash-(n-1)) and logs "ID: removed" once the
     * removal is on disk.
     */
    private static List<String> removedBeforeTheKill(String log) {
        Map<String, String> subjectOf = new HashMap<>();
        Matcher queued = Pattern.compile("message \\S+\\.(\\d+) queued as (\\S+) ").matcher(log);
        while (queued.find()) {
            subjectOf.put(queued.group(2), "crash-" + (Integer.parseInt(queued.group(1)) - 1));
        }
        List<String> removed = new ArrayList<>();
        Matcher gone = Pattern.compile("(?m) - (\\S+): removed$").matcher(log);
        while (gone.find()) {
            removed.add(subjectOf.get(gone.group(1)));
        }
        return removed;
    }
}
