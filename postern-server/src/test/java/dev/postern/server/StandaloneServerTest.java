package dev.postern.server;

import dev.postern.ServerMetrics;
import dev.postern.testing.AngusMail;
import dev.postern.testing.PeerProcess;
import dev.postern.testing.RawSmtpClient;
import dev.postern.testing.TestServer;
import dev.postern.testing.TestServers;
import dev.postern.tls.TlsConfig;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The standalone server over real sockets, in this JVM, on 127.0.0.1 and a port the OS picks. */
@Timeout(60)
class StandaloneServerTest {

    private static final String DATE = "; \\w{3}, \\d{1,2} \\w{3} \\d{4} \\d\\d:\\d\\d:\\d\\d [+-]\\d{4}\r\n";

    /** RFC 5321 4.4 Received field as this server writes it, up to the date. */
    private static final String RECEIVED = "Received: from client\\.example \\(unknown \\[%s\\]\\) by mx\\.test \\(Postern\\)"
            + " with ESMTP id [0-9A-Z]+ for <rcpt@example\\.org>" + DATE;

    /** The same for a message received over TLS: ESMTPS (RFC 3848), and RFC 8314's tls clause with the cipher suite. */
    private static final String RECEIVED_OVER_TLS = "Received: from client\\.example \\(unknown \\[127\\.0\\.0\\.1\\]\\) by "
            + "mx\\.test \\(Postern\\) with ESMTPS id [0-9A-Z]+ for <rcpt@example\\.org> tls TLS_[A-Z0-9_]+" + DATE;

    @TempDir
    Path dir;

    @RegisterExtension
    final TestServers servers = new TestServers();

    /** A started standalone server and its SMTP server. */
    private record Running(StandaloneServer standalone, TestServer smtp) {
        /** {@code path} on the monitoring endpoint. */
        URI http(String path) {
            InetSocketAddress address = standalone.httpAddress();
            return URI.create("http://" + address.getHostString() + ":" + address.getPort() + path);
        }
    }

    /** Starts {@code postern serve ARGS} on 127.0.0.1:0 with hostname mx.test and the maildir in the temp dir. */
    private Running start(String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of("--listen", "127.0.0.1:0", "--hostname", "mx.test",
                "--maildir", maildir().toString()));
        all.addAll(List.of(args));
        StandaloneServer standalone = new StandaloneServer(ServeCommandTest.settings(all.toArray(String[]::new)));
        TestServer server = servers.add(TestServer.of(standalone.start(), () -> standalone.stop(Duration.ZERO)));
        return new Running(standalone, server);
    }

    private TestServer serve(String... args) throws IOException {
        return start(args).smtp();
    }

    private Path maildir() {
        return dir.resolve("mail");
    }

    private List<Path> delivered() throws IOException {
        try (Stream<Path> files = Files.list(maildir().resolve("new"))) {
            return files.toList();
        }
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.US_ASCII);
    }

    /**
     * Angus Mail settings for {@code protocol} (smtp, or smtps for implicit TLS) to 127.0.0.1:{@code port},
     * saying EHLO client.example. The certificates name mx.test, not the address connected to, so the
     * name check is off; each test says which certificates it trusts.
     */
    private static Properties mailSettings(String protocol, int port) {
        Properties props = AngusMail.settings(protocol, port);
        props.put("mail." + protocol + ".ssl.checkserveridentity", "false");
        props.put("mail." + protocol + ".localhost", "client.example");
        return props;
    }

    @Test
    void angusMailDeliversIntoNewWithReceivedFirstAndTheExactBody() throws Exception {
        TestServer server = serve();
        Session mail = Session.getInstance(mailSettings("smtp", server.port()));
        String body = "Hello, world.\r\n.A line that starts with a dot\r\n..and two\r\n\r\nLast line.\r\n";
        MimeMessage message = new MimeMessage(mail);
        message.setFrom(new InternetAddress("sender@example.com"));
        message.setRecipient(RecipientType.TO, new InternetAddress("rcpt@example.org"));
        message.setSubject("socket test");
        message.setText(body, "us-ascii");
        Transport.send(message);

        assertThat(delivered()).hasSize(1);
        String stored = read(delivered().get(0));
        assertThat(stored).containsPattern("^" + RECEIVED.formatted("127\\.0\\.0\\.1"));
        assertThat(stored.lines().skip(1)).as("one Received field, first").noneMatch(l -> l.startsWith("Received:"));
        assertThat(stored).contains("\r\nSubject: socket test\r\n").endsWith("\r\n\r\n" + body);
        assertThat(Files.list(maildir().resolve("tmp"))).isEmpty();
    }

    @Test
    void storeFailureAnswers451StoresNothingAndTheNextSessionStillDelivers() throws Exception {
        TestServer server = serve();
        Path newDir = maildir().resolve("new");
        Files.delete(newDir);
        Files.writeString(newDir, "not a directory");
        String content = "Subject: first\r\n\r\nbody\r\n";
        try (LogCapture log = new LogCapture(); RawSmtpClient client = new RawSmtpClient(server.port())) {
            assertThat(client.deliver("a@example.com", "rcpt@example.org", content)).startsWith("451 4.3.0 ");
            assertThat(client.cmd("NOOP")).as("the session goes on").startsWith("250");
            assertThat(log.lines()).as("the cause, in the session's log").anySatisfy(l -> assertThat(l)
                    .containsPattern("ERROR .*\\[([0-9A-Z]+)\\] cannot store message \\1\\.1 in " + maildir() + ": .*Not a directory\n$"));
        }
        assertThat(read(newDir)).isEqualTo("not a directory");
        assertThat(Files.list(maildir().resolve("tmp"))).as("nothing left in tmp/").isEmpty();

        Files.delete(newDir);
        Files.createDirectory(newDir);
        try (RawSmtpClient client = new RawSmtpClient(server.port())) {
            assertThat(client.deliver("a@example.com", "rcpt@example.org", content)).startsWith("250 ");
            assertThat(client.cmd("QUIT")).startsWith("221");
        }
        assertThat(delivered()).singleElement().satisfies(f -> assertThat(read(f)).endsWith("\r\n" + content));
    }

    @Test
    void discardAcceptsEveryMessageAndStoresNothing() throws Exception {
        TestServer server = serve("--discard");
        try (RawSmtpClient client = new RawSmtpClient(server.port())) {
            for (int i = 0; i < 3; i++) {
                if (i == 0) {
                    assertThat(client.deliver("a@example.com", "rcpt@example.org", "Subject: x\r\n\r\nbody\r\n"))
                            .startsWith("250 ");
                } else {
                    assertThat(client.cmd("MAIL FROM:<>")).startsWith("250 ");
                    assertThat(client.cmd("RCPT TO:<rcpt@example.org>")).startsWith("250 ");
                    assertThat(client.cmd("DATA")).startsWith("354 ");
                    assertThat(client.cmd("body " + i + "\r\n.")).startsWith("250 ");
                }
            }
        }
        assertThat(maildir()).as("--discard does not even create the maildir").doesNotExist();
    }

    @Test
    void proxyV1HeaderFromATrustedProxyNamesTheRealClientInReceived() throws Exception {
        TestServer server = serve("--proxy-protocol", "required", "--trusted-proxies", "127.0.0.1/32");
        try (RawSmtpClient client = new RawSmtpClient(server.port())) {
            client.send("PROXY TCP4 192.0.2.10 127.0.0.1 40000 25\r\n");
            assertThat(client.deliver("a@example.com", "rcpt@example.org", "Subject: proxied\r\n\r\nbody\r\n"))
                    .startsWith("250 ");
        }
        String stored = read(delivered().get(0));
        assertThat(stored).containsPattern("^" + RECEIVED.formatted("192\\.0\\.2\\.10")).doesNotContain("127.0.0.1");
    }

    @Test
    void requiredProxyHeaderMissingClosesTheConnectionWithoutAGreeting() throws Exception {
        TestServer server = serve("--proxy-protocol", "required", "--trusted-proxies", "127.0.0.1/32");
        try (RawSmtpClient client = new RawSmtpClient(server.port())) {
            client.send("EHLO client.example\r\n");
            assertThat(client.readToClose()).isEmpty();
        }
        assertThat(maildir().resolve("new")).isEmptyDirectory();
    }

    @Test
    void proxyHeaderFromAnUntrustedSourceIsNotBelieved() throws Exception {
        TestServer server = serve("--proxy-protocol", "required", "--trusted-proxies", "10.0.0.0/8");
        try (RawSmtpClient client = new RawSmtpClient(server.port())) {
            assertThat(client.reply()).as("a direct client is greeted at once").startsWith("220 ");
            assertThat(client.cmd("PROXY TCP4 192.0.2.10 127.0.0.1 40000 25")).matches("5\\d\\d .*");
            assertThat(client.cmd("EHLO client.example")).startsWith("250");
            assertThat(client.cmd("MAIL FROM:<a@example.com>")).startsWith("250 ");
            assertThat(client.cmd("RCPT TO:<rcpt@example.org>")).startsWith("250 ");
            assertThat(client.cmd("DATA")).startsWith("354 ");
            assertThat(client.cmd("Subject: direct\r\n\r\nbody\r\n.")).startsWith("250 ");
        }
        assertThat(read(delivered().get(0))).containsPattern("^" + RECEIVED.formatted("127\\.0\\.0\\.1"))
                .doesNotContain("192.0.2.10");
    }

    @Test
    void xforwardFromATrustedHostNamesTheUpstreamClientInReceived() throws Exception {
        TestServer server = serve("--xforward-hosts", "127.0.0.1/32");
        try (RawSmtpClient client = new RawSmtpClient(server.port())) {
            assertThat(client.reply()).startsWith("220 ");
            assertThat(client.cmd("EHLO filter.example")).contains("XFORWARD");
            assertThat(client.cmd("XFORWARD NAME=up.example.net ADDR=198.51.100.20")).startsWith("250");
            assertThat(client.cmd("XFORWARD HELO=client.example PROTO=ESMTP")).startsWith("250");
            assertThat(client.cmd("MAIL FROM:<a@example.com>")).startsWith("250 ");
            assertThat(client.cmd("RCPT TO:<rcpt@example.org>")).startsWith("250 ");
            assertThat(client.cmd("DATA")).startsWith("354 ");
            assertThat(client.cmd("Subject: forwarded\r\n\r\nbody\r\n.")).startsWith("250 ");
        }
        assertThat(read(delivered().get(0)))
                .startsWith("Received: from client.example (up.example.net [198.51.100.20]) by mx.test (Postern) with ESMTP id ");
    }

    @Test
    void xclientFromATrustedHostMakesTheNamedClientTheClient() throws Exception {
        TestServer server = serve("--xclient-hosts", "127.0.0.1/32");
        try (RawSmtpClient client = new RawSmtpClient(server.port())) {
            assertThat(client.reply()).startsWith("220 ");
            assertThat(client.cmd("EHLO proxy.example")).contains("XCLIENT");
            // Postfix XCLIENT_README: the reply is a new greeting, and the client starts over with EHLO.
            assertThat(client.cmd("XCLIENT ADDR=192.0.2.30 NAME=[UNAVAILABLE]")).startsWith("220 ");
            assertThat(client.deliverAfterGreeting("a@example.com", "rcpt@example.org", "Subject: x\r\n\r\nbody\r\n"))
                    .startsWith("250 ");
        }
        assertThat(read(delivered().get(0))).containsPattern("^" + RECEIVED.formatted("192\\.0\\.2\\.30"));
    }

    @Test
    void xforwardFromAnUntrustedHostIsRefused() throws Exception {
        TestServer server = serve("--xforward-hosts", "10.0.0.0/8");
        try (RawSmtpClient client = new RawSmtpClient(server.port())) {
            assertThat(client.reply()).startsWith("220 ");
            assertThat(client.cmd("EHLO filter.example")).doesNotContain("XFORWARD");
            assertThat(client.cmd("XFORWARD ADDR=198.51.100.20")).matches("5\\d\\d .*");
        }
    }

    @Test
    void sessionLogIsOneLinePerEventWithTheSessionIdInBrackets() throws Exception {
        String sessionId;
        List<String> lines;
        try (LogCapture log = new LogCapture()) {
            TestServer server = serve();
            try (RawSmtpClient client = new RawSmtpClient(server.port())) {
                String reply = client.deliver("a@example.com", "rcpt@example.org", "Subject: log\r\n\r\nbody\r\n");
                // "250 2.0.0 Ok: queued as SESSION.1"
                sessionId = reply.substring(reply.lastIndexOf(' ') + 1, reply.lastIndexOf('.'));
                assertThat(client.cmd("QUIT")).startsWith("221");
            }
            // The disconnect is logged once the server has seen the close.
            log.await("[" + sessionId + "] disconnect");
            lines = log.lines();
        }
        for (String line : lines) {
            assertThat(line.indexOf('\n')).as("one line: " + line).isEqualTo(line.length() - 1);
            assertThat(line).doesNotContain("\r");
        }
        List<String> session = lines.stream().filter(l -> l.contains("[" + sessionId + "]")).toList();
        assertThat(session).hasSize(3);
        assertThat(session.get(0)).contains("INFO ", "[" + sessionId + "] connect from 127.0.0.1:");
        assertThat(session.get(1)).contains("INFO ", "[" + sessionId + "] message " + sessionId + ".1 accepted from <a@example.com>");
        assertThat(session.get(2)).contains("INFO ", "[" + sessionId + "] disconnect");
    }

    @Test
    void angusMailSeesA451AsASendFailure() throws Exception {
        TestServer server = serve();
        Path tmpDir = maildir().resolve("tmp");
        Files.delete(tmpDir);
        Files.writeString(tmpDir, "not a directory");
        MimeMessage message = new MimeMessage(Session.getInstance(mailSettings("smtp", server.port())));
        message.setFrom(new InternetAddress("sender@example.com"));
        message.setRecipient(RecipientType.TO, new InternetAddress("rcpt@example.org"));
        message.setText("body\r\n");
        try {
            Transport.send(message);
            throw new AssertionError("the send should have failed");
        } catch (MessagingException e) {
            assertThat(e).hasMessageContaining("451 4.3.0");
        }
        assertThat(delivered()).isEmpty();
    }

    // ---- TLS

    private static void send(String protocol, Properties props) throws MessagingException {
        Session mail = Session.getInstance(props);
        MimeMessage message = new MimeMessage(mail);
        message.setFrom(new InternetAddress("sender@example.com"));
        message.setRecipient(RecipientType.TO, new InternetAddress("rcpt@example.org"));
        message.setSubject("over TLS");
        message.setText("secret\r\n", "us-ascii");
        try (Transport transport = mail.getTransport(protocol)) {
            transport.connect();
            transport.sendMessage(message, message.getAllRecipients());
        }
    }

    @Test
    void angusMailOverRequiredStartTlsWithASelfSignedCertificate() throws Exception {
        List<String> lines;
        try (LogCapture log = new LogCapture()) {
            TestServer server = serve("--tls-self-signed", "--starttls", "required");
            Properties props = mailSettings("smtp", server.port());
            props.put("mail.smtp.starttls.enable", "true");
            props.put("mail.smtp.starttls.required", "true");
            props.put("mail.smtp.ssl.trust", "*");
            send("smtp", props);
            lines = log.lines();
        }
        assertThat(lines).anySatisfy(l -> assertThat(l)
                        .contains("WARN ", "--tls-self-signed: clients cannot verify the certificate generated for mx.test"))
                .anySatisfy(l -> assertThat(l)
                        .contains("INFO ", "listener 127.0.0.1:0: plain, STARTTLS offered and required before MAIL\n"));
        assertThat(read(delivered().get(0))).containsPattern("^" + RECEIVED_OVER_TLS).endsWith("\r\n\r\nsecret\r\n");
    }

    @Test
    void angusMailOverImplicitTlsOnATlsListenListener() throws Exception {
        List<String> lines;
        try (LogCapture log = new LogCapture()) {
            TestServer server = serve("--tls-self-signed", "--tls-listen", "127.0.0.1:0");
            // Bound in the order of the listeners: --listen's, then --tls-listen's.
            Properties props = mailSettings("smtps", server.port(1));
            props.put("mail.smtps.ssl.trust", "*");
            send("smtps", props);
            lines = log.lines();
        }
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("INFO ", "listener 127.0.0.1:0: implicit TLS\n"))
                .anySatisfy(l -> assertThat(l).contains("INFO ", "listener 127.0.0.1:0: plain, STARTTLS offered\n"));
        assertThat(read(delivered().get(0))).containsPattern("^" + RECEIVED_OVER_TLS);
    }

    @ParameterizedTest(name = "encrypted key: {0}")
    @ValueSource(booleans = {false, true})
    void pemFilesAreTheCertificateClientsSee(boolean encrypted) throws Exception {
        TlsConfig.KeyMaterial keys = new TlsConfig.SelfSigned(List.of("mx.test")).generate();
        Path cert = Files.writeString(dir.resolve("cert.pem"), pem("CERTIFICATE", keys.chain().get(0).getEncoded()));
        Path key = dir.resolve("key.pem");
        List<String> args = new ArrayList<>(List.of("--tls-cert", cert.toString(), "--tls-key", key.toString()));
        if (encrypted) {
            writeEncrypted(keys, key, "pass phrase");
            assertThat(Files.readString(key)).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----\n");
            args.addAll(List.of("--tls-key-password-file", Files.writeString(dir.resolve("password"), "pass phrase\n").toString()));
        } else {
            Files.writeString(key, pem("PRIVATE KEY", keys.privateKey().getEncoded()));
        }
        TestServer server = serve(args.toArray(String[]::new));
        Properties props = mailSettings("smtp", server.port());
        props.put("mail.smtp.starttls.enable", "true");
        props.put("mail.smtp.starttls.required", "true");
        // The handshake succeeds only if the server presents this very certificate.
        props.put("mail.smtp.ssl.socketFactory", trustingOnly(keys.chain().get(0)));
        send("smtp", props);
        assertThat(read(delivered().get(0))).containsPattern("^" + RECEIVED_OVER_TLS);
    }

    /** PEM as operators' tools write it: Base64 in 64-column lines between BEGIN and END lines. */
    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** The key as an "ENCRYPTED PRIVATE KEY" (PKCS#8 with AES-256-CBC), as {@code openssl pkcs8 -topk8} writes it. */
    private static void writeEncrypted(TlsConfig.KeyMaterial keys, Path file, String password) throws Exception {
        var encryptor = new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                .setProvider(new BouncyCastleProvider()).setPassword(password.toCharArray()).build();
        try (JcaPEMWriter writer = new JcaPEMWriter(Files.newBufferedWriter(file))) {
            writer.writeObject(new JcaPKCS8Generator(keys.privateKey(), encryptor));
        }
    }

    private static SSLSocketFactory trustingOnly(X509Certificate certificate) throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("server", certificate);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context.getSocketFactory();
    }

    // ---- Monitoring endpoint (--http-listen) and the per-client limit

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

    /** Prometheus 0.0.4 metric names, and sample values as Go's ParseFloat reads them. */
    private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final Pattern COMMENT = Pattern.compile("# (HELP " + NAME + " .+|TYPE (" + NAME + ") "
            + "(counter|gauge|histogram|summary|untyped))");
    private static final Pattern SAMPLE = Pattern.compile("(" + NAME + ")(\\{[^}]*\\})? "
            + "([-+]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?|[-+]?Inf|NaN)( -?\\d+)?");

    private static HttpResponse<String> http(String method, URI uri) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .method(method, method.equals("POST") ? BodyPublishers.ofString("x=1") : BodyPublishers.noBody()).build();
        return HTTP.send(request, BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return http("GET", uri);
    }

    @Test
    void metricsAreThePrometheusTextFormatWithEveryCounter() throws Exception {
        long before = System.currentTimeMillis();
        List<String> lines;
        Running server;
        try (LogCapture log = new LogCapture()) {
            server = start("--http-listen", "127.0.0.1:0");
            lines = log.lines();
        }
        long after = System.currentTimeMillis();
        int port = server.standalone().httpAddress().getPort();
        assertThat(port).isPositive();
        assertThat(lines).anySatisfy(l -> assertThat(l)
                .contains("INFO ", "monitoring on http://127.0.0.1:" + port + " (/metrics, /health, /ready)\n"));
        try (RawSmtpClient client = new RawSmtpClient(server.smtp().port())) {
            assertThat(client.deliver("a@example.com", "rcpt@example.org", "Subject: counted\r\n\r\nbody\r\n")).startsWith("250 ");
            assertThat(client.cmd("QUIT")).startsWith("221");
        }

        HttpResponse<String> response = get(server.http("/metrics"));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        String body = response.body();
        // Written by the Prometheus Java client: values are floating point, counters keep their names.
        assertThat(body).contains("# HELP postern_messages_accepted_total Messages accepted: 250 after DATA or the last BDAT.\n"
                        + "# TYPE postern_messages_accepted_total counter\n"
                        + "postern_messages_accepted_total 1.0\n")
                .contains("\n# TYPE postern_connections_accepted_total counter\npostern_connections_accepted_total 1.0\n")
                .contains("\n# TYPE postern_connections_active gauge\n")
                .contains("\n# TYPE postern_up gauge\npostern_up 1.0\n")
                .contains("\n# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total ")
                .contains("\n# TYPE jvm_memory_used_bytes gauge\n")
                .endsWith("\n");
        for (ServerMetrics.Counter counter : ServerMetrics.Counter.values()) {
            String name = "postern_" + counter.name().toLowerCase(Locale.ROOT) + "_total";
            assertThat(body).contains("# HELP " + name + " " + counter.description() + "\n# TYPE " + name + " counter\n");
        }
        checkExposition(body);
        List<PrometheusMetricsTest.Sample> samples = PrometheusMetricsTest.parse(body);
        double startTime = PrometheusMetricsTest.value(samples, "postern_start_time_seconds", Map.of());
        assertThat(startTime * 1000).isBetween(before - 1.0, after + 1.0);
        assertThat(PrometheusMetricsTest.value(samples, "process_cpu_seconds_total", Map.of())).isPositive();
        assertThat(PrometheusMetricsTest.value(samples, "jvm_memory_used_bytes", Map.of("area", "heap"))).isPositive();
        assertThat(PrometheusMetricsTest.value(samples, "postern_message_bytes_accepted_total", Map.of()))
                .isEqualTo((double) server.smtp().metrics().get(ServerMetrics.Counter.MESSAGE_BYTES_ACCEPTED));
    }

    /**
     * Checks {@code body} against the text format: every line a HELP or TYPE comment or a sample
     * {@code name value} / {@code name{labels} value}, one TYPE per metric before its samples (a
     * histogram's are its {@code _bucket}, {@code _count} and {@code _sum}).
     */
    private static void checkExposition(String body) {
        Set<String> typed = new HashSet<>();
        for (String line : body.split("\n")) {
            Matcher comment = COMMENT.matcher(line);
            Matcher sample = SAMPLE.matcher(line);
            if (comment.matches()) {
                if (comment.group(2) != null) {
                    assertThat(typed.add(comment.group(2))).as("one TYPE line for " + comment.group(2)).isTrue();
                }
            } else {
                assertThat(sample.matches()).as("a sample line: " + line).isTrue();
                String metric = sample.group(1).replaceFirst("_(bucket|count|sum)$", "");
                assertThat(typed).as("TYPE before the sample " + line).containsAnyOf(sample.group(1), metric);
            }
        }
    }

    @Test
    void healthAndReadyAnswer200AndHeadAnswersWithoutABody() throws Exception {
        Running server = start("--http-listen", "127.0.0.1:0");
        HttpResponse<String> health = get(server.http("/health"));
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("ok\n");
        assertThat(health.headers().firstValue("Cache-Control")).hasValue("no-store");
        HttpResponse<String> ready = get(server.http("/ready?from=haproxy"));
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).isEqualTo("ready\n");
        HttpResponse<String> head = http("HEAD", server.http("/metrics"));
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.headers().firstValueAsLong("Content-Length").orElseThrow()).isPositive();
    }

    @Test
    void otherMethodsGet405AndOtherPaths404() throws Exception {
        Running server = start("--http-listen", "127.0.0.1:0");
        for (String method : List.of("POST", "PUT", "DELETE", "OPTIONS")) {
            HttpResponse<String> response = http(method, server.http("/metrics"));
            assertThat(response.statusCode()).as(method).isEqualTo(405);
            assertThat(response.headers().firstValue("Allow")).as(method).hasValue("GET, HEAD");
        }
        for (String path : List.of("/", "/metrics/", "/healthz", "/ready/now", "/../metrics")) {
            HttpResponse<String> response = get(server.http(path));
            assertThat(response.statusCode()).as(path).isEqualTo(404);
            assertThat(response.body()).as(path).isEqualTo("not found: try /metrics, /health or /ready\n");
        }
        assertThat(http("POST", server.http("/nope")).statusCode()).isEqualTo(404);
        assertThat(get(server.http("/health")).statusCode()).as("still answering").isEqualTo(200);
    }

    @Test
    void readyAnswers503FromTheStartOfAGracefulStopAndTheEndpointClosesLast() throws Exception {
        Running server = start("--http-listen", "127.0.0.1:0");
        URI ready = server.http("/ready");
        Thread stopping;
        try (RawSmtpClient client = new RawSmtpClient(server.smtp().port())) {
            assertThat(client.reply()).startsWith("220 ");
            stopping = Thread.ofPlatform().start(() -> server.standalone().stop(Duration.ofSeconds(30)));
            HttpResponse<String> response = get(ready);
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (response.statusCode() == 200 && System.nanoTime() < deadline) {
                Thread.sleep(10);
                response = get(ready);
            }
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.body()).isEqualTo("stopping\n");
            assertThat(stopping.isAlive()).as("the stop waits for the open session").isTrue();
            assertThat(get(server.http("/health")).statusCode()).as("alive while stopping").isEqualTo(200);
            assertThat(get(server.http("/metrics")).body()).contains("\npostern_connections_active 1.0\n");
            assertThat(client.cmd("QUIT")).startsWith("221");
        }
        stopping.join(Duration.ofSeconds(10));
        assertThat(stopping.isAlive()).as("the stop ends with the last session").isFalse();
        assertThatThrownBy(() -> get(ready)).as("the endpoint is closed once the stop is over").isInstanceOf(IOException.class);
    }

    @Test
    void withoutHttpListenThereIsNoEndpoint() throws Exception {
        assertThat(start().standalone().httpAddress()).isNull();
    }

    @Test
    void httpPortInUseFailsTheStartAndClosesTheSmtpListeners() throws Exception {
        int smtpPort = PeerProcess.freePort();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            assertThatThrownBy(() -> start("--listen", "127.0.0.1:" + smtpPort, "--http-listen", "127.0.0.1:" + taken.getLocalPort()))
                    .isInstanceOf(IOException.class)
                    .hasMessageStartingWith("cannot listen on --http-listen 127.0.0.1:" + taken.getLocalPort() + ": ");
        }
        try (ServerSocket free = new ServerSocket(smtpPort, 1, InetAddress.getByName("127.0.0.1"))) {
            assertThat(free.getLocalPort()).as("the SMTP port is free again").isEqualTo(smtpPort);
        }
    }

    @Test
    void maxConnectionsPerClientRefusesTheThirdConnectionWith421() throws Exception {
        TestServer server = serve("--max-connections-per-client", "2");
        try (RawSmtpClient first = new RawSmtpClient(server.port());
             RawSmtpClient second = new RawSmtpClient(server.port())) {
            assertThat(first.reply()).startsWith("220 ");
            assertThat(second.reply()).startsWith("220 ");
            try (RawSmtpClient third = new RawSmtpClient(server.port())) {
                assertThat(third.reply()).startsWith("421 4.7.0 ");
                assertThat(third.readToClose()).as("closed after the 421").isEmpty();
            }
            assertThat(first.deliverAfterGreeting("a@example.com", "rcpt@example.org", "Subject: x\r\n\r\nbody\r\n"))
                    .as("the admitted sessions go on").startsWith("250 ");
        }
        assertThat(server.metrics().get(ServerMetrics.Counter.CONNECTIONS_REFUSED)).isEqualTo(1);
    }
}
