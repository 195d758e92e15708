package dev.postern.relay.queue;

import dev.postern.BodyType;
import dev.postern.relay.MessageContent;
import dev.postern.relay.RemoteReply;
import dev.postern.relay.queue.Outcomes.Event;
import dev.postern.relay.queue.Outcomes.Kind;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each kind of DSN whole, field by field and line by line, against the texts in
 * {@code src/test/resources/dsn/} (the random boundary and the random part of the Message-ID replaced):
 * what the sender gets back is the queue's last word on a message, so none of it may go missing.
 */
class DsnGoldenTest {

    private static final Instant ARRIVAL = Instant.parse("2026-03-02T10:00:00Z");
    private static final Instant NOW = Instant.parse("2026-03-02T12:30:00Z");
    private static final DeliverySettings SETTINGS = DeliverySettings.builder().reportingMta("mx.postern.test")
            .maxReturnedContent(1000).build();

    private static final RecipientState BOB = recipient("bob@example.net", RecipientState.Status.FAILED,
            new RemoteReply(550, "5.1.1", "<bob@example.net>: Recipient address rejected: User unknown in virtual mailbox table"),
            "mx.example.net[192.0.2.1]:25", "rfc822;bob+2Bx@example.net");
    private static final RecipientState CAROL = recipient("carol@example.net", RecipientState.Status.FAILED,
            RemoteReply.none("no MX or address for example.net"), "", null);
    private static final RecipientState DAVE = recipient("dave@example.net", RecipientState.Status.DEFERRED,
            new RemoteReply(451, "4.3.0", "try later"), "[192.0.2.9]:25", null);
    private static final RecipientState ERIN = recipient("erin@example.net", RecipientState.Status.DELIVERED,
            new RemoteReply(250, "2.0.0", "queued as 42"), "mx.example.net[192.0.2.1]:25", null);

    private static RecipientState recipient(String address, RecipientState.Status status, RemoteReply reply, String remote,
                                            String orcpt) {
        return new RecipientState(address, null, orcpt, status, 2, NOW, NOW.minusSeconds(60), reply, remote, "", false, false);
    }

    /** The DSN with CRLF line ends checked and then turned into LF, its random parts replaced. */
    private static String build(DsnMessage.Type type, DsnReturn ret, byte[] content, Event... events) {
        List<RecipientState> rs = Arrays.stream(events).map(Event::recipient).toList();
        QueuedMessage m = new QueuedMessage("q1-2-3", ARRIVAL, content.length, "alice@example.org", ret, "env+2Did",
                BodyType.UNSPECIFIED, false, rs);
        MessageContent c = () -> new ByteArrayInputStream(content);
        String dsn = new String(DsnMessage.build(type, m, List.of(events), c, SETTINGS, NOW).content(), StandardCharsets.UTF_8);
        assertThat(dsn.replace("\r\n", "")).doesNotContain("\r", "\n");
        return dsn.replace("\r\n", "\n").replaceAll("=_postern_[0-9a-f]{24}", "BOUNDARY")
                .replaceAll("(Message-ID: <q1-2-3\\.[a-z]+\\.[0-9a-z]+)\\.[0-9a-z]+@", "$1.RANDOM@");
    }

    private static String expected(String name) throws IOException {
        try (InputStream in = DsnGoldenTest.class.getResourceAsStream("/dsn/" + name + ".txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void failureWithTheWholeMessage() throws IOException {
        assertThat(build(DsnMessage.Type.FAILURE, DsnReturn.FULL, QueueFixture.CONTENT, new Event(BOB, Kind.FAILED, true),
                new Event(CAROL, Kind.FAILED, true), new Event(DAVE, Kind.EXPIRED, true))).isEqualTo(expected("failure"));
    }

    @Test
    void delayWithTheHeaders() throws IOException {
        assertThat(build(DsnMessage.Type.DELAY, DsnReturn.HDRS, QueueFixture.CONTENT, new Event(DAVE, Kind.DEFERRED, true)))
                .isEqualTo(expected("delay"));
    }

    @Test
    void success() throws IOException {
        assertThat(build(DsnMessage.Type.SUCCESS, null, QueueFixture.CONTENT, new Event(ERIN, Kind.DELIVERED, true)))
                .isEqualTo(expected("success"));
    }

    /** RET=FULL of a message over maxReturnedContent: its header only, and the text says why. */
    @Test
    void failureOfAMessageTooLargeToReturn() throws IOException {
        byte[] big = (new String(QueueFixture.CONTENT, StandardCharsets.US_ASCII) + "x".repeat(1000) + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        String dsn = build(DsnMessage.Type.FAILURE, DsnReturn.FULL, big, new Event(BOB, Kind.FAILED, true));
        String failure = expected("failure");
        assertThat(dsn).contains("""
                I'm sorry to have to inform you that your message could not be delivered to
                one or more recipients. Its header is attached below. The message is larger
                than 1000 octets, too large to return whole.
                """);
        assertThat(dsn).contains("""
                Content-Description: Undelivered Message Headers
                Content-Type: text/rfc822-headers

                From: Alice <alice@example.org>
                To: bob@example.net
                Subject: hello
                Message-ID: <m1@example.org>

                --BOUNDARY--
                """);
        assertThat(dsn).doesNotContain("body line");
        assertThat(failure).contains("It is attached below.");
        // exactly maxReturnedContent octets is still returned whole
        byte[] limit = Arrays.copyOf(big, 1000);
        assertThat(build(DsnMessage.Type.FAILURE, DsnReturn.FULL, limit, new Event(BOB, Kind.FAILED, true)))
                .contains("Content-Type: message/rfc822");
    }
}
