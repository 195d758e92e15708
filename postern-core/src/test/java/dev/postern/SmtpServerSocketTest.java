package dev.postern;

import dev.postern.testing.AngusMail;
import dev.postern.testing.CollectingHandler;
import dev.postern.testing.RawSmtpClient;
import dev.postern.testing.TestServer;
import dev.postern.testing.TestServers;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The server over real sockets, with Angus Mail and a byte-exact raw client. */
class SmtpServerSocketTest {

    @RegisterExtension
    final TestServers servers = new TestServers();

    static void sendWithAngus(int port, String from, String to, String subject, String text, Properties extra)
            throws MessagingException {
        Properties p = AngusMail.settings("smtp", port);
        p.putAll(extra);
        Transport.send(AngusMail.message(Session.getInstance(p), from, to, subject, text));
    }

    @Test
    void angusMailDeliversToTheMessageHook() throws Exception {
        CollectingHandler h = new CollectingHandler();
        TestServer server = servers.start(h);
        sendWithAngus(server.port(), "alice@example.org", "bob@example.net, carol@example.net", "Hello",
                "Hi Bob,\r\n.leading dot line\r\nbye\r\n", new Properties());
        CollectingHandler.Received r = h.next();
        assertThat(r.envelope().reversePath().address()).isEqualTo("alice@example.org");
        assertThat(r.envelope().forwardPaths()).extracting(ForwardPath::address)
                .containsExactly("bob@example.net", "carol@example.net");
        assertThat(r.content()).contains("Subject: Hello\r\n", "\r\n.leading dot line\r\n");
        assertThat(r.remoteIp()).isEqualTo("127.0.0.1");
    }

    @Test
    void angusMailWithSmtpUtf8() throws Exception {
        CollectingHandler h = new CollectingHandler();
        TestServer server = servers.start(h);
        Properties p = new Properties();
        p.put("mail.mime.allowutf8", "true");
        sendWithAngus(server.port(), "jörg@bücher.example", "zoë@example.net", "Grüße", "ünïcödé\r\n", p);
        CollectingHandler.Received r = h.next();
        assertThat(r.envelope().smtpUtf8()).isTrue();
        assertThat(r.envelope().reversePath().address()).isEqualTo("jörg@bücher.example");
        assertThat(r.content()).contains("From: jörg@bücher.example", "To: zoë@example.net");
    }

    @Test
    void angusSeesRejectionsFromHooks() throws Exception {
        TestServer server = servers.start(new SmtpHandler() {
            @Override
            public ForwardPath onRcptTo(SmtpSession s, ForwardPath to, MailParameters p) {
                throw SmtpRejection.of(550, "5.1.1", "No such user here");
            }
        });
        assertThatThrownBy(() -> sendWithAngus(server.port(), "a@b.c", "nobody@x.y", "s", "t", new Properties()))
                .isInstanceOf(MessagingException.class)
                .hasStackTraceContaining("550 5.1.1 No such user here");
    }

    @Test
    void pipelinedGroupIsAnsweredInOrder() throws Exception {
        CollectingHandler h = new CollectingHandler();
        TestServer server = servers.start(h);
        try (RawSmtpClient c = new RawSmtpClient(server.port())) {
            assertThat(c.reply()).startsWith("220 mx.test");
            c.cmd("EHLO me");
            c.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nRCPT TO:<y@y.z>\r\nDATA\r\n");
            assertThat(c.reply()).startsWith("250 2.1.0");
            assertThat(c.reply()).startsWith("250 2.1.5");
            assertThat(c.reply()).startsWith("250 2.1.5");
            assertThat(c.reply()).startsWith("354");
            c.send("Subject: x\r\n\r\nbody\r\n.\r\nQUIT\r\n");
            assertThat(c.reply()).startsWith("250 2.0.0 Ok: queued as");
            assertThat(c.reply()).startsWith("221");
        }
        assertThat(h.next().content()).isEqualTo("Subject: x\r\n\r\nbody\r\n");
    }

    /** Each smuggling variant over a socket: one message only, and the smuggled command stays content. */
    @ParameterizedTest
    @ValueSource(strings = {"\n.\n", "\r.\r", "\n.\r\n", "\r\n.\n", "\r.\r\n", "\r\n.\r\r\n"})
    void smugglingAttemptsStayInsideTheMessage(String mark) throws Exception {
        CollectingHandler h = new CollectingHandler();
        TestServer server = servers.start(h);
        try (RawSmtpClient c = new RawSmtpClient(server.port())) {
            c.reply();
            c.cmd("EHLO me");
            c.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\n");
            c.reply();
            c.reply();
            assertThat(c.reply()).startsWith("354");
            c.send("Subject: s\r\n\r\nhello" + mark + "MAIL FROM:<evil@x.y>\r\nRCPT TO:<victim@x.y>\r\nDATA\r\n"
                    + "Subject: smuggled\r\n\r\nevil\r\n.\r\n");
            assertThat(c.reply()).startsWith("250 2.0.0 Ok: queued");
            assertThat(c.cmd("NOOP")).startsWith("250");
        }
        CollectingHandler.Received r = h.next();
        assertThat(r.envelope().forwardPaths()).extracting(ForwardPath::address).containsExactly("x@y.z");
        assertThat(r.content()).contains("MAIL FROM:<evil@x.y>", "Subject: smuggled");
        assertThat(h.messages).isEmpty();
    }

    @Test
    void bdatChunksOverTheSocket() throws Exception {
        CollectingHandler h = new CollectingHandler();
        TestServer server = servers.start(h);
        try (RawSmtpClient c = new RawSmtpClient(server.port())) {
            c.reply();
            assertThat(c.cmd("EHLO me")).contains("CHUNKING");
            c.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nBDAT 14\r\nSubject: b\r\n\r\n");
            assertThat(c.reply()).startsWith("250");
            assertThat(c.reply()).startsWith("250");
            assertThat(c.reply()).startsWith("250 2.0.0 14 octets");
            c.send("BDAT 7 LAST\r\n.body\r\n");
            assertThat(c.reply()).startsWith("250 2.0.0 Ok: queued");
        }
        assertThat(h.next().content()).isEqualTo("Subject: b\r\n\r\n.body\r\n");
    }

    @Test
    void strictLineEndingsCloseOnBareLfInData() throws Exception {
        CollectingHandler h = new CollectingHandler();
        TestServer server = servers.start(h, c -> c.lineEndings(LineEndingPolicy.STRICT));
        try (RawSmtpClient c = new RawSmtpClient(server.port())) {
            c.reply();
            c.cmd("EHLO me");
            c.cmd("MAIL FROM:<a@b.c>");
            c.cmd("RCPT TO:<x@y.z>");
            assertThat(c.cmd("DATA")).startsWith("354");
            c.send("Subject: s\r\n\r\nbare\nlf\r\n.\r\n");
            assertThat(c.reply()).startsWith("554 5.5.2");
            assertThat(c.isClosedByServer()).isTrue();
        }
        assertThat(h.messages).isEmpty();
    }

    @Test
    void earlyTalkerIsRefusedDuringTheGreetingDelay() throws Exception {
        TestServer server = servers.start(new CollectingHandler(), c -> c.greetingDelay(Duration.ofMillis(500)));
        try (RawSmtpClient c = new RawSmtpClient(server.port())) {
            c.send("EHLO impatient\r\n");
            assertThat(c.reply()).startsWith("554 5.5.0");
            assertThat(c.isClosedByServer()).isTrue();
        }
        try (RawSmtpClient c = new RawSmtpClient(server.port())) {
            assertThat(c.reply()).startsWith("220");
        }
    }

    @Test
    void maxConnectionsRefusesTheNextOneWith421() throws Exception {
        TestServer server = servers.start(new CollectingHandler(), c -> c.maxConnections(2));
        try (RawSmtpClient a = new RawSmtpClient(server.port()); RawSmtpClient b = new RawSmtpClient(server.port())) {
            assertThat(a.reply()).startsWith("220");
            assertThat(b.reply()).startsWith("220");
            try (RawSmtpClient c = new RawSmtpClient(server.port())) {
                assertThat(c.reply()).startsWith("421 4.7.0");
                assertThat(c.isClosedByServer()).isTrue();
            }
        }
    }

    @Test
    void commandTimeoutSends421AndCloses() throws Exception {
        TestServer server = servers.start(new CollectingHandler(), c -> c.commandTimeout(Duration.ofMillis(300)));
        try (RawSmtpClient c = new RawSmtpClient(server.port())) {
            c.reply();
            assertThat(c.reply()).startsWith("421 4.4.2");
            assertThat(c.isClosedByServer()).isTrue();
        }
    }

    @Test
    void aLogHookThatThrowsDoesNotStopTheTimeoutsReply() throws Exception {
        // The transport logs "command timeout exceeded" before it sends the 421: a log hook that
        // throws must not leave the client waiting on a connection nobody will close.
        SmtpHandler throwingLog = new SmtpHandler() {
            @Override
            public void onLogEvent(SmtpSession session, LogLevel level, String message, Throwable error) {
                throw new IllegalStateException("log sink down");
            }
        };
        TestServer server = servers.start(throwingLog, c -> c.commandTimeout(Duration.ofMillis(300)));
        try (RawSmtpClient c = new RawSmtpClient(server.port())) {
            c.setReadTimeout(5000);
            assertThat(c.reply()).startsWith("220 ");
            assertThat(c.reply()).startsWith("421 4.4.2");
            assertThat(c.isClosedByServer()).isTrue();
        }
    }

    @Test
    void dataTimeoutSends421AndCloses() throws Exception {
        CollectingHandler h = new CollectingHandler();
        TestServer server = servers.start(h, c -> c.dataTimeout(Duration.ofMillis(300)).commandTimeout(Duration.ofSeconds(30)));
        try (RawSmtpClient c = new RawSmtpClient(server.port())) {
            c.reply();
            c.cmd("EHLO me");
            c.cmd("MAIL FROM:<a@b.c>");
            c.cmd("RCPT TO:<x@y.z>");
            c.cmd("DATA");
            c.send("Subject: partial\r\n");
            assertThat(c.reply()).startsWith("421 4.4.2");
            assertThat(c.isClosedByServer()).isTrue();
        }
        assertThat(h.messages).isEmpty();
    }

    @Test
    void sessionDeadlineEndsEvenABusySession() throws Exception {
        TestServer server = servers.start(new CollectingHandler(), c -> c.sessionDeadline(Duration.ofMillis(600)));
        try (RawSmtpClient c = new RawSmtpClient(server.port())) {
            c.reply();
            String last = "";
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < until && !last.startsWith("421")) {
                last = c.cmd("NOOP");
                Thread.sleep(50);
            }
            assertThat(last).startsWith("421 4.4.2");
        }
    }

    @Test
    void aHookThatNeverReturnsDoesNotOutliveTheSessionDeadline() throws Exception {
        CountDownLatch interrupted = new CountDownLatch(1);
        TestServer server = servers.start(new SmtpHandler() {
            @Override
            public void onHelo(SmtpSession s, String name) {
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                    interrupted.countDown();
                }
            }
        }, c -> c.sessionDeadline(Duration.ofMillis(300)));
        try (RawSmtpClient c = new RawSmtpClient(server.port())) {
            c.reply();
            c.send("EHLO stuck\r\n");
            long t0 = System.nanoTime();
            assertThat(c.isClosedByServer()).isTrue();
            assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(8));
        }
        assertThat(interrupted.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void lineWithoutEndPastTheBufferGets421() throws Exception {
        TestServer server = servers.start(new CollectingHandler(), c -> c.maxLineBufferBytes(2048));
        try (RawSmtpClient c = new RawSmtpClient(server.port())) {
            c.reply();
            c.send("NOOP " + "x".repeat(4000));
            assertThat(c.reply()).startsWith("421 4.7.0");
            assertThat(c.isClosedByServer()).isTrue();
        }
    }

    @Test
    void gracefulStopLetsSessionsFinishThenSays421() throws Exception {
        TestServer server = servers.start(new CollectingHandler());
        int port = server.port();
        try (RawSmtpClient c = new RawSmtpClient(port)) {
            c.reply();
            c.cmd("EHLO me");
            long t0 = System.nanoTime();
            server.server().stop(Duration.ofMillis(300));
            assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300));
            assertThat(c.reply()).startsWith("421 4.3.2");
            assertThat(c.isClosedByServer()).isTrue();
        }
        assertThatThrownBy(() -> new RawSmtpClient(port)).isInstanceOf(IOException.class);
    }

    @Test
    void gracefulStopReturnsAsSoonAsSessionsAreDone() throws Exception {
        CollectingHandler h = new CollectingHandler();
        TestServer server = servers.start(h);
        RawSmtpClient c = new RawSmtpClient(server.port());
        assertThat(c.reply()).startsWith("220");
        java.util.concurrent.CompletableFuture<String> quit = new java.util.concurrent.CompletableFuture<>();
        Thread quitter = new Thread(() -> {
            try (c) {
                Thread.sleep(200);
                quit.complete(c.cmd("QUIT"));
            } catch (Throwable e) {
                quit.completeExceptionally(e);
            }
        });
        quitter.start();
        long t0 = System.nanoTime();
        server.server().stop(Duration.ofSeconds(20));
        long took = System.nanoTime() - t0;
        quitter.join();
        // the session ended by the client's QUIT, during the grace: a 221, not the 421 of the end of grace
        assertThat(quit.get()).startsWith("221 2.0.0");
        assertThat(took).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200))
                .isLessThan(TimeUnit.SECONDS.toNanos(10));
        assertThat(h.disconnected).hasSize(1);
    }

    @Test
    void blockingHooksRunOffTheEventLoopBoundedByMaxProcessings() throws Exception {
        CountDownLatch bothConnected = new CountDownLatch(2);
        CollectingHandler h = new CollectingHandler() {
            @Override
            public void onHelo(SmtpSession s, String name) {
                bothConnected.countDown();
                try {
                    Thread.sleep(200); // a slow lookup
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        TestServer server = servers.start(h, c -> c.maxProcessings(1));
        try (RawSmtpClient a = new RawSmtpClient(server.port()); RawSmtpClient b = new RawSmtpClient(server.port())) {
            a.reply();
            b.reply();
            long t0 = System.nanoTime();
            a.send("EHLO a\r\n");
            b.send("EHLO b\r\n");
            assertThat(a.reply()).startsWith("250");
            assertThat(b.reply()).startsWith("250");
            // with one processing slot the two 200 ms hooks ran one after the other
            assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(390));
            assertThat(bothConnected.getCount()).isZero();
        }
    }

    @Test
    void disconnectHookRunsForEverySession() throws Exception {
        CollectingHandler h = new CollectingHandler();
        TestServer server = servers.start(h);
        try (RawSmtpClient c = new RawSmtpClient(server.port())) {
            c.reply();
            c.cmd("QUIT");
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (h.disconnected.isEmpty() && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertThat(h.disconnected).hasSize(1);
    }

    @Test
    void sessionSeesAddressesAndReverseDnsWhenEnabled() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        TestServer server = servers.start(new SmtpHandler() {
            @Override
            public void onConnect(SmtpSession s) {
                seen.add(s.remoteAddress().getAddress().getHostAddress() + " " + s.remoteHostName().orElse("-")
                        + " " + s.localAddress().getPort() + " " + s.id());
            }
        }, c -> c.reverseDnsLookup(true));
        try (RawSmtpClient c = new RawSmtpClient("127.0.0.9", server.port())) {
            assertThat(c.reply()).startsWith("220");
        }
        assertThat(seen).hasSize(1);
        String[] parts = seen.get(0).split(" ");
        assertThat(parts[0]).isEqualTo("127.0.0.9");
        assertThat(parts[2]).isEqualTo(String.valueOf(server.port()));
        assertThat(parts[3]).matches("[0-9A-Z]{8,}");
    }

    /**
     * The reverse DNS name of the client is stored in the session and every hook sees it. 127.0.0.1 is in
     * every hosts file (as localhost), so the name is known without a DNS server; without the lookup, or
     * for an address without a name, there is none.
     */
    @Test
    void theReverseDnsNameIsStoredAndEveryHookSeesIt() throws Exception {
        String expected = java.net.InetAddress.getByName("127.0.0.1").getCanonicalHostName();
        assertThat(expected).as("this machine names 127.0.0.1 (hosts file)").isNotEqualTo("127.0.0.1");
        List<String> seen = new CopyOnWriteArrayList<>();
        SmtpHandler recorder = new CollectingHandler() {
            @Override
            public void onConnect(SmtpSession s) {
                seen.add("connect " + s.remoteHostName().orElse("-"));
            }

            @Override
            public void onHelo(SmtpSession s, String name) {
                seen.add("helo " + s.remoteHostName().orElse("-"));
            }

            @Override
            public ReversePath onMailFrom(SmtpSession s, ReversePath from, MailParameters p) {
                seen.add("mail " + s.remoteHostName().orElse("-"));
                return from;
            }
        };
        for (boolean lookup : new boolean[] {true, false}) {
            TestServer server = servers.start(recorder, c -> c.reverseDnsLookup(lookup));
            try (RawSmtpClient c = new RawSmtpClient("127.0.0.1", server.port())) {
                assertThat(c.reply()).startsWith("220");
                assertThat(c.cmd("EHLO me")).startsWith("250");
                assertThat(c.cmd("MAIL FROM:<a@b.c>")).startsWith("250");
            }
            String name = lookup ? expected : "-";
            assertThat(seen).as("lookup " + lookup).containsExactly("connect " + name, "helo " + name, "mail " + name);
            seen.clear();
        }
    }

    @Test
    void listensOnEveryHostTimesEveryPort() throws Exception {
        TestServer server = servers.start(new SmtpHandler() { },
                c -> c.clearListeners().listen(List.of("127.0.0.1", "localhost"), List.of(0)));
        assertThat(server.server().boundAddresses()).extracting(a -> a.getAddress().getHostAddress())
                .contains("127.0.0.1", "0:0:0:0:0:0:0:1");
    }
}
