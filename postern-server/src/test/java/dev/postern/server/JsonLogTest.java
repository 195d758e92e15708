package dev.postern.server;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postern.testing.SmtpReplyReader;
import dev.postern.testing.TestServer;
import dev.postern.testing.TestServers;
import dev.postern.testing.TestTls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLSocket;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --log-format json}: the log lines of a real session (STARTTLS, then XCLIENT naming a client and
 * a user, then a message), encoded by the server's JSON set-up, parse as JSON objects with the fields.
 */
@Timeout(60)
class JsonLogTest {

    @TempDir
    Path dir;

    @RegisterExtension
    final TestServers servers = new TestServers();

    private final ObjectMapper json = new ObjectMapper();

    @AfterEach
    void backToTheTextSetUp() {
        LogFormat.configure((LoggerContext) LoggerFactory.getILoggerFactory(), "logback.xml");
    }

    private static String send(OutputStream out, InputStream in, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return SmtpReplyReader.reply(in);
    }

    @Test
    void sessionLinesAreJsonObjectsWithTheSessionsFields() throws Exception {
        ServeSettings settings = ServeCommandTest.settings("--listen", "127.0.0.1:0", "--hostname", "mx.test",
                "--maildir", dir.resolve("mail").toString(), "--tls-self-signed", "--xclient-hosts", "127.0.0.1/32",
                "--log-format", "json");
        assertThat(settings.logFormat()).isEqualTo(LogFormat.JSON);
        settings.logFormat().apply();
        settings.logLevel().apply();
        List<String> lines = new ArrayList<>();
        String messageId;
        try (LogCapture log = new LogCapture()) {
            StandaloneServer standalone = new StandaloneServer(settings);
            TestServer server = servers.add(TestServer.of(standalone.start(), () -> standalone.stop(Duration.ZERO)));
            try (Socket plain = new Socket()) {
                plain.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 5000);
                plain.setSoTimeout(10_000);
                InputStream in = plain.getInputStream();
                assertThat(SmtpReplyReader.reply(in)).startsWith("220");
                assertThat(send(plain.getOutputStream(), in, "EHLO client.example")).contains("STARTTLS");
                assertThat(send(plain.getOutputStream(), in, "STARTTLS")).startsWith("220");
                SSLSocket tls = TestTls.handshake(plain, TestTls.trustingAnyServer(null));
                InputStream sin = tls.getInputStream();
                OutputStream sout = tls.getOutputStream();
                assertThat(send(sout, sin, "EHLO client.example")).startsWith("250");
                assertThat(send(sout, sin, "XCLIENT ADDR=192.0.2.7 PORT=40000 LOGIN=alice")).startsWith("220");
                assertThat(send(sout, sin, "EHLO client.example")).startsWith("250");
                assertThat(send(sout, sin, "MAIL FROM:<a@example.com>")).startsWith("250");
                assertThat(send(sout, sin, "RCPT TO:<rcpt@example.org>")).startsWith("250");
                assertThat(send(sout, sin, "DATA")).startsWith("354");
                String reply = send(sout, sin, "Subject: json\r\n\r\nbody\r\n.");
                assertThat(reply).startsWith("250 2.0.0 Ok: queued as ");
                messageId = reply.substring("250 2.0.0 Ok: queued as ".length());
                assertThat(send(sout, sin, "QUIT")).startsWith("221");
            }
            log.await(m -> m.endsWith("] disconnect"), Duration.ofSeconds(5));
            @SuppressWarnings("unchecked")
            ConsoleAppender<ILoggingEvent> console = (ConsoleAppender<ILoggingEvent>) log.root.getAppender("CONSOLE");
            for (ILoggingEvent event : log.events()) {
                lines.add(new String(console.getEncoder().encode(event), StandardCharsets.UTF_8));
            }
        }

        List<JsonNode> objects = new ArrayList<>();
        for (String line : lines) {
            assertThat(line).endsWith("\n").doesNotContain("\r");
            assertThat(line.indexOf('\n')).as("one line per event: " + line).isEqualTo(line.length() - 1);
            JsonNode object = json.readTree(line);
            assertThat(object.isObject()).as(line).isTrue();
            assertThat(object.get("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d)");
            assertThat(object.get("level").asText()).isIn("INFO", "WARN");
            assertThat(object.has("message")).isTrue();
            objects.add(object);
        }
        assertThat(objects).anySatisfy(o -> {
            assertThat(o.get("event").asText()).isEqualTo("started");
            assertThat(o.get("logger").asText()).isEqualTo("StandaloneServer");
        });
        JsonNode accepted = objects.stream().filter(o -> o.path("event").asText().equals("message_accepted")).findFirst()
                .orElseThrow(() -> new AssertionError("no message_accepted line in " + lines));
        String session = messageId.substring(0, messageId.lastIndexOf('.'));
        assertThat(accepted.get("level").asText()).isEqualTo("INFO");
        assertThat(accepted.get("logger").asText()).isEqualTo("session");
        assertThat(accepted.get("session").asText()).isEqualTo(session);
        assertThat(accepted.get("client").asText()).isEqualTo("192.0.2.7:40000");
        assertThat(accepted.get("proxy").asText()).startsWith("127.0.0.1:");
        assertThat(accepted.get("tls").asText()).startsWith("TLSv1.3 TLS_");
        assertThat(accepted.get("user").asText()).isEqualTo("alice");
        assertThat(accepted.get("message_id").asText()).isEqualTo(messageId);
        assertThat(accepted.get("octets").isIntegralNumber()).isTrue();
        assertThat(accepted.get("octets").asLong()).isGreaterThan(20);
        assertThat(accepted.get("recipients").asInt()).isEqualTo(1);
        assertThat(accepted.get("from").asText()).isEqualTo("<a@example.com>");
        assertThat(accepted.get("reply").asText()).isEqualTo("250 2.0.0 Ok: queued as " + messageId);
        assertThat(accepted.get("message").asText()).startsWith("[" + session + "] message " + messageId + " accepted from");

        assertThat(objects).filteredOn(o -> session.equals(o.path("session").asText()))
                .extracting(o -> o.get("event").asText())
                .containsSubsequence("connect", "tls", "xclient", "message_accepted", "disconnect");
    }

    @Test
    void textStaysTheDefaultAndJsonIsOnlyAskedFor() {
        assertThat(ServeCommandTest.settings().logFormat()).isEqualTo(LogFormat.TEXT);
        ServeCommandTest.assertUsageErrors(java.util.Map.of(List.of("--log-format", "xml"), "'xml' is not one of text, json"));
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        LogFormat.TEXT.apply();
        assertThat(((ConsoleAppender<?>) root.getAppender("CONSOLE")).getEncoder().getClass().getName())
                .isEqualTo("ch.qos.logback.classic.encoder.PatternLayoutEncoder");
        LogFormat.JSON.apply();
        assertThat(((ConsoleAppender<?>) root.getAppender("CONSOLE")).getEncoder().getClass().getName())
                .isEqualTo("net.logstash.logback.encoder.LogstashEncoder");
    }
}
