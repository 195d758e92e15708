package dev.postern.relay.queue;

import dev.postern.BodyType;
import dev.postern.relay.MessageContent;
import dev.postern.relay.RemoteReply;
import dev.postern.relay.queue.Outcomes.Event;
import dev.postern.relay.queue.Outcomes.Kind;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DsnMessageTest {

    private static final Instant T = Instant.parse("2026-03-02T10:00:00Z");
    private static final DeliverySettings SETTINGS = DeliverySettings.builder().reportingMta("mx.postern.test").build();

    private static QueuedMessage message(String sender, DsnReturn ret, boolean smtpUtf8, RecipientState... recipients) {
        return new QueuedMessage("abc-1-1", T, QueueFixture.CONTENT.length, sender, ret, null,
                BodyType.UNSPECIFIED, smtpUtf8, List.of(recipients));
    }

    private static RecipientState failed(String address, String orcpt, RemoteReply reply) {
        return new RecipientState(address, null, orcpt, RecipientState.Status.FAILED, 1, T, T, reply, "", "", false, false);
    }

    private static String build(QueuedMessage m, byte[] content, Event... events) {
        MessageContent c = () -> new ByteArrayInputStream(content);
        return new String(DsnMessage.build(DsnMessage.Type.FAILURE, m, List.of(events), c, SETTINGS, T).content(),
                StandardCharsets.UTF_8);
    }

    @Test
    void everyLineEndsWithCrlfAndNoneIsTooLong() {
        RecipientState r = failed("bob@example.net", null, new RemoteReply(550, "5.7.1", "word ".repeat(400).strip()));
        String dsn = build(message("alice@example.org", DsnReturn.HDRS, false, r), QueueFixture.CONTENT, new Event(r, Kind.FAILED, true));
        assertThat(dsn.replace("\r\n", "")).doesNotContain("\r", "\n");
        assertThat(dsn.split("\r\n")).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(78));
        assertThat(dsn).contains("Diagnostic-Code: smtp; 550 5.7.1 word word");
    }

    @Test
    void aRemoteReplyOrAnOrcptCannotInjectFields() throws Exception {
        RecipientState r = failed("bob@example.net", "rfc822;bob@example.net+0D+0ABcc:+20victim@example.com",
                new RemoteReply(550, "5.1.1", "no\r\nX-Injected: yes"));
        String dsn = build(message("alice@example.org", null, false, r), QueueFixture.CONTENT, new Event(r, Kind.FAILED, true));
        assertThat(dsn).doesNotContain("\r\nX-Injected", "\r\nBcc:");
        ParsedDsn parsed = ParsedDsn.parse(dsn.getBytes(StandardCharsets.UTF_8));
        assertThat(parsed.field(0, "Original-Recipient")).isEqualTo("rfc822;bob@example.net??Bcc: victim@example.com");
        assertThat(parsed.field(0, "Diagnostic-Code")).isEqualTo("smtp; 550 5.1.1 no??X-Injected: yes");
    }

    @Test
    void theBoundaryIsNotInTheReturnedContent() throws Exception {
        RecipientState r = failed("bob@example.net", null, new RemoteReply(550, "5.1.1", "no"));
        String dsn = build(message("alice@example.org", DsnReturn.FULL, false, r), QueueFixture.CONTENT, new Event(r, Kind.FAILED, true));
        String boundary = ParsedDsn.parse(dsn.getBytes(StandardCharsets.UTF_8)).message().getContentType()
                .replaceAll("(?s).*boundary=\"([^\"]+)\".*", "$1");
        assertThat(boundary).startsWith("=_postern_");
        assertThat(new String(QueueFixture.CONTENT, StandardCharsets.US_ASCII)).doesNotContain(boundary);
        assertThat(dsn.split("--" + boundary, -1)).hasSize(5);
    }

    @Test
    void eightBitContentIsDeclaredAndSmtpUtf8GetsTheGlobalTypes() throws Exception {
        byte[] content = "Subject: caf\u00e9\r\nFrom: zo\u00eb@exämple.de\r\n\r\nd\u00e9j\u00e0 vu\r\n".getBytes(StandardCharsets.UTF_8);
        RecipientState r = failed("jos\u00e9@exämple.de", null, new RemoteReply(550, "5.1.1", "no"));
        QueuedMessage m = new QueuedMessage("abc-1-1", T, content.length, "zo\u00eb@exämple.de", DsnReturn.FULL, null,
                BodyType.EIGHT_BIT_MIME, true, List.of(r));
        DsnMessage.Built built = DsnMessage.build(DsnMessage.Type.FAILURE, m, List.of(new Event(r, Kind.FAILED, true)),
                () -> new ByteArrayInputStream(content), SETTINGS, T);
        assertThat(built.eightBit()).isTrue();
        ParsedDsn parsed = ParsedDsn.parse(built.content());
        assertThat(parsed.parts().getBodyPart(1).getContentType()).isEqualTo("message/global-delivery-status");
        assertThat(parsed.returned().getContentType()).isEqualTo("message/global");
        assertThat(parsed.returned().getHeader("Content-Transfer-Encoding")).containsExactly("8bit");
        assertThat(new String(built.content(), StandardCharsets.UTF_8)).contains("Final-Recipient: utf-8; jos\u00e9@exämple.de");
    }

    @Test
    void asciiDsnOfAnAsciiMessageIsSevenBit() {
        RecipientState r = failed("bob@example.net", null, new RemoteReply(550, "5.1.1", "no"));
        DsnMessage.Built built = DsnMessage.build(DsnMessage.Type.FAILURE, message("alice@example.org", DsnReturn.FULL, false, r),
                List.of(new Event(r, Kind.FAILED, true)), () -> new ByteArrayInputStream(QueueFixture.CONTENT), SETTINGS, T);
        assertThat(built.eightBit()).isFalse();
        for (byte b : built.content()) {
            assertThat(b).isNotNegative();
        }
    }

    @Test
    void aFailureWithoutReplyHasAPosternDiagnostic() throws Exception {
        RecipientState r = failed("bob@example.net", null, RemoteReply.none("no MX or address for example.net"));
        ParsedDsn parsed = ParsedDsn.parse(build(message("alice@example.org", null, false, r), QueueFixture.CONTENT,
                new Event(r, Kind.FAILED, true)).getBytes(StandardCharsets.UTF_8));
        assertThat(parsed.field(0, "Status")).isEqualTo("5.0.0");
        assertThat(parsed.field(0, "Diagnostic-Code")).isEqualTo("X-Postern; no MX or address for example.net");
        assertThat(parsed.field(0, "Remote-MTA")).isNull();
    }

    @Test
    void unreadableContentStillGivesADsnWithoutTheReturnedPart() throws Exception {
        RecipientState r = failed("bob@example.net", null, new RemoteReply(550, "5.1.1", "no"));
        DsnMessage.Built built = DsnMessage.build(DsnMessage.Type.FAILURE, message("alice@example.org", null, false, r),
                List.of(new Event(r, Kind.FAILED, true)), () -> {
                    throw new java.io.IOException("gone");
                }, SETTINGS, T);
        ParsedDsn parsed = ParsedDsn.parse(built.content());
        assertThat(parsed.parts().getCount()).isEqualTo(2);
        assertThat(parsed.field(0, "Action")).isEqualTo("failed");
    }

    @Test
    void theHeaderEndsAtTheFirstEmptyLineOrAtTheLastWholeLineWithinTheBound() {
        assertThat(new String(DsnMessage.header("A: 1\r\nB: 2\r\n\r\nbody\r\n".getBytes()))).isEqualTo("A: 1\r\nB: 2\r\n");
        assertThat(new String(DsnMessage.header("A: 1\r\nB: 2 is cut".getBytes()))).isEqualTo("A: 1\r\n");
        assertThat(new String(DsnMessage.header("A: 1\nB: 2\n\nbody".getBytes()))).isEqualTo("A: 1\nB: 2\n");
    }

    @Test
    void remoteHostAndXtext() {
        assertThat(DsnMessage.remoteHost("mx.example.net[192.0.2.1]:25")).isEqualTo("mx.example.net");
        assertThat(DsnMessage.remoteHost("[192.0.2.1]:25")).isEqualTo("192.0.2.1");
        assertThat(DsnMessage.xtextDecode("a+2Bb+3Dc+")).isEqualTo("a+b=c+");
    }
}
