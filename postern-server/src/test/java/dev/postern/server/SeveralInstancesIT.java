package dev.postern.server;

import dev.postern.junit.PosternExtension;
import dev.postern.junit.ReceivedMail;
import dev.postern.testing.AngusMail;
import dev.postern.testing.PeerProcess;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's "Running several instances", on loopback: two Postern instances behind HAProxy (PROXY v2, health from
 * GET /ready on each monitoring port, leastconn), each with its own queue, relaying to an existing mail system (a
 * third Postern, in this JVM: PosternExtension). Mail through HAProxy reaches the mail system through both instances; then one
 * instance gets SIGTERM with --drain-delay while clients keep sending, and not one message is refused: HAProxy takes
 * the instance out on its failed /ready checks before its listeners close.
 */
@Timeout(240)
class SeveralInstancesIT extends LauncherFixture {

    private static final String HAPROXY = "/usr/sbin/haproxy";

    /** The existing mail system the instances relay to, recording what it takes. */
    @RegisterExtension
    final PosternExtension mailSystem = PosternExtension.builder().configure(c -> c.hostname("mail.internal.test")).build();

    private PeerProcess haproxy;

    @AfterEach
    void stopHaproxy() {
        if (haproxy != null) {
            haproxy.close();
        }
    }

    @Test
    void twoInstancesBehindHaproxyRelayEverythingAndOneStopsWithoutRefusingAClient() throws Exception {
        int mailSystem = this.mailSystem.port();

        int[] smtp = {PeerProcess.freePort(), PeerProcess.freePort()};
        int[] http = {PeerProcess.freePort(), PeerProcess.freePort()};
        List<Process> instances = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            String name = "mx" + (i + 1);
            Process p = launcher.start(name, "serve", "--hostname", name + ".test",
                    "--listen", "127.0.0.1:" + smtp[i], "--proxy-protocol", "required", "--trusted-proxies", "127.0.0.1/32",
                    "--http-listen", "127.0.0.1:" + http[i],
                    "--relay", "smtp://127.0.0.1:" + mailSystem, "--domains", "example.org", "--retry-schedule", "1s",
                    "--queue-dir", dir.resolve("queue-" + name).toString(),
                    "--drain-delay", "6s", "--shutdown-grace", "10s");
            instances.add(p);
        }
        for (int i = 0; i < 2; i++) {
            launcher.awaitListening(instances.get(i), "mx" + (i + 1), http[i]);
        }

        int front = PeerProcess.freePort();
        // The README's haproxy.cfg, on loopback: each instance's monitoring port given per server line.
        Path cfg = Files.writeString(dir.resolve("haproxy.cfg"), """
                global
                    maxconn 200

                defaults
                    mode    tcp
                    timeout connect 5s
                    timeout check   2s
                    timeout client  1m
                    timeout server  1m

                frontend smtp
                    bind 127.0.0.1:%d
                    default_backend postern

                backend postern
                    balance leastconn
                    option httpchk GET /ready
                    http-check expect status 200
                    default-server send-proxy-v2 check inter 500ms fall 2 rise 2
                    server mx1 127.0.0.1:%d port %d
                    server mx2 127.0.0.1:%d port %d
                """.formatted(front, smtp[0], http[0], smtp[1], http[1]));
        PeerProcess.requireProgram(HAPROXY);
        haproxy = PeerProcess.start("haproxy", dir, List.of(HAPROXY, "-db", "-f", cfg.toString()), front);

        Session session = Session.getInstance(AngusMail.settings("smtp", front));
        int sent = 0;
        for (; sent < 6; sent++) {
            send(session, sent);
        }
        List<String> received = awaitMessages(sent);
        assertThat(received).as("relayed through both instances").anyMatch(m -> m.contains(" by mx1.test (Postern)"))
                .anyMatch(m -> m.contains(" by mx2.test (Postern)"));
        assertThat(received).allMatch(m -> m.contains("from client.example (unknown [127.0.0.1])"));

        // A rolling stop: mx1 is told to stop while clients keep coming. Every one is served, by mx2 once HAProxy has
        // seen mx1's /ready turn 503, by mx1 before that: its listeners stay open for the drain delay.
        Process mx1 = instances.get(0);
        long stop = System.nanoTime();
        mx1.destroy(); // SIGTERM
        List<String> failures = new ArrayList<>();
        while (mx1.isAlive() && System.nanoTime() - stop < TimeUnit.SECONDS.toNanos(60)) {
            try {
                send(session, sent);
            } catch (MessagingException e) {
                failures.add(e.toString());
            }
            sent++;
        }
        for (int more = 0; more < 3; more++, sent++) {
            send(session, sent);
        }
        assertThat(failures).as("no client refused during mx1's stop").isEmpty();
        assertThat(mx1.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(mx1.exitValue()).as(launcher.err("mx1")).isZero();
        assertThat(launcher.err("mx1")).contains("draining: /ready answers 503, the listeners close in PT6S");
        assertThat(awaitMessages(sent)).as("every message sent reached the mail system").hasSize(sent);
    }

    private static void send(Session session, int n) throws MessagingException {
        jakarta.mail.internet.MimeMessage m = AngusMail.message(session, "sender@example.com", "rcpt" + n + "@example.org",
                "message " + n, "body " + n);
        session.getProperties().put("mail.smtp.localhost", "client.example");
        Transport.send(m);
    }

    /** Waits (bounded) until the mail system has taken {@code count} messages, and returns their contents. */
    private List<String> awaitMessages(int count) {
        return mailSystem.awaitMessages(count, Duration.ofSeconds(60)).stream().map(ReceivedMail::contentAsString).toList();
    }
}
