package dev.postern.relay.client.protocol;

import dev.postern.relay.DeliveryRequest;
import dev.postern.relay.OutboundRecipient;
import dev.postern.relay.RecipientOutcome;
import dev.postern.relay.RecipientOutcome.Status;
import dev.postern.relay.client.RelayTimeouts;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MailTransactionTest {

    private static final String BODY = "Subject: hi\r\n\r\n.dot line\r\nbye\r\n";

    private static DeliveryRequest request(String body, boolean eightBit, boolean utf8, OutboundRecipient... rcpts) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return new DeliveryRequest("Q1", "sender@example.org", List.of(rcpts), "example.net", bytes.length,
                eightBit, utf8, () -> new ByteArrayInputStream(bytes));
    }

    private static DeliveryRequest request(String... rcpts) {
        return request(BODY, false, false, Arrays.stream(rcpts).map(OutboundRecipient::of).toArray(OutboundRecipient[]::new));
    }

    private static Capabilities caps(String... keywords) {
        String[] lines = new String[keywords.length + 1];
        lines[0] = "mx";
        System.arraycopy(keywords, 0, lines, 1, keywords.length);
        return Capabilities.of(Reply.of(250, List.of(lines)));
    }

    private static MailTransaction.Result run(ScriptedWire wire, Capabilities caps, boolean lmtp, DeliveryRequest r) {
        return MailTransaction.run(wire, caps, lmtp, r, RelayTimeouts.DEFAULTS, Deadline.in(Duration.ofMinutes(1)));
    }

    private static List<Status> statuses(MailTransaction.Result r) {
        return r.outcomes().stream().map(RecipientOutcome::status).toList();
    }

    @Test
    void pipelinedGroupAndPerRecipientRcptReplies() {
        ScriptedWire wire = new ScriptedWire("250 2.1.0 ok", "250 2.1.5 ok", "550 5.1.1 no such user", "450 4.2.1 later",
                "354 go", "250 2.0.0 queued as X");
        MailTransaction.Result r = run(wire, caps("PIPELINING"), false, request("a@example.net", "b@example.net", "c@example.net"));
        assertThat(wire.commands).containsExactly("MAIL FROM:<sender@example.org>", "RCPT TO:<a@example.net>",
                "RCPT TO:<b@example.net>", "RCPT TO:<c@example.net>", "DATA");
        assertThat(statuses(r)).containsExactly(Status.DELIVERED, Status.FAILED, Status.DEFERRED);
        assertThat(r.outcomes().get(0).reply().toString()).isEqualTo("250 2.0.0 queued as X");
        assertThat(r.outcomes().get(1).reply().toString()).isEqualTo("550 5.1.1 no such user");
        assertThat(wire.data()).isEqualTo("Subject: hi\r\n\r\n..dot line\r\nbye\r\n.\r\n");
        assertThat(wire.writeReplies).last().isEqualTo(1);
        assertThat(r.reusable()).isTrue();
    }

    @Test
    void withoutPipeliningOneCommandAtATimeAndNothingAfterARefusedMail() {
        ScriptedWire wire = new ScriptedWire("452 4.3.1 insufficient storage");
        MailTransaction.Result r = run(wire, caps(), false, request("a@example.net", "b@example.net"));
        assertThat(wire.commands).containsExactly("MAIL FROM:<sender@example.org>");
        assertThat(statuses(r)).containsOnly(Status.DEFERRED);
        assertThat(r.outcomes().get(1).reply().code()).isEqualTo(452);
    }

    @Test
    void pipelinedRefusedMailDecidesEveryoneAndEveryReplyIsRead() {
        ScriptedWire wire = new ScriptedWire("550 5.7.1 sender refused", "503 5.5.1 need MAIL", "503 5.5.1 need MAIL", "503 no");
        MailTransaction.Result r = run(wire, caps("PIPELINING"), false, request("a@example.net", "b@example.net"));
        assertThat(statuses(r)).containsOnly(Status.FAILED);
        assertThat(r.outcomes().get(0).reply().text()).isEqualTo("sender refused");
        assertThat(r.reusable()).isTrue();
    }

    @Test
    void dataAcceptedWithoutValidRecipientGetsALoneDot() {
        ScriptedWire wire = new ScriptedWire("250 ok", "550 no", "354 go", "554 no valid recipients");
        MailTransaction.Result r = run(wire, caps("PIPELINING"), false, request("a@example.net"));
        assertThat(wire.data()).isEqualTo(".\r\n");
        assertThat(statuses(r)).containsExactly(Status.FAILED);
        assertThat(r.reusable()).isTrue();
    }

    @Test
    void refusedDataDecidesTheAcceptedRecipients() {
        ScriptedWire perm = new ScriptedWire("250 ok", "250 ok", "554 5.3.0 no data today");
        assertThat(statuses(run(perm, caps("PIPELINING"), false, request("a@example.net")))).containsExactly(Status.FAILED);
        ScriptedWire temp = new ScriptedWire("250 ok", "250 ok", "250 ok", "451 4.3.0 try later");
        assertThat(statuses(run(temp, caps(), false, request("a@example.net")))).containsExactly(Status.DEFERRED);
        assertThat(temp.commands).containsExactly("MAIL FROM:<sender@example.org>", "RCPT TO:<a@example.net>", "DATA");
    }

    @Test
    void finalReplyDecidesAll() {
        ScriptedWire wire = new ScriptedWire("250 ok", "250 ok", "250 ok", "354 go", "552 5.3.4 too big after all");
        MailTransaction.Result r = run(wire, caps("PIPELINING"), false, request("a@example.net", "b@example.net"));
        assertThat(statuses(r)).containsOnly(Status.FAILED);
    }

    @Test
    void lmtpHasOneFinalReplyPerAcceptedRecipient() {
        ScriptedWire wire = new ScriptedWire("250 ok", "250 ok", "550 5.1.1 unknown", "250 ok", "354 go",
                "250 2.1.5 a delivered", "452 4.2.2 c over quota");
        MailTransaction.Result r = run(wire, caps("PIPELINING"), true, request("a@x.org", "b@x.org", "c@x.org"));
        assertThat(statuses(r)).containsExactly(Status.DELIVERED, Status.FAILED, Status.DEFERRED);
        assertThat(r.outcomes().get(2).reply().text()).isEqualTo("c over quota");
        assertThat(wire.writeReplies).last().isEqualTo(2);
    }

    @Test
    void bdatInOneLastChunk() {
        ScriptedWire wire = new ScriptedWire("250 ok", "250 ok", "250 2.0.0 got it");
        MailTransaction.Result r = run(wire, caps("PIPELINING", "CHUNKING"), false, request("a@example.net"));
        assertThat(wire.commands).containsExactly("MAIL FROM:<sender@example.org>", "RCPT TO:<a@example.net>");
        int len = BODY.length();
        assertThat(wire.data()).isEqualTo("BDAT " + len + " LAST\r\n" + BODY);
        assertThat(statuses(r)).containsExactly(Status.DELIVERED);
    }

    @Test
    void bdatChunksWithoutPipeliningWaitForEachReplyAndStopAtARefusal() {
        String big = "x".repeat(ContentSender.BLOCK * 2 + 10);
        ScriptedWire wire = new ScriptedWire("250 ok", "250 ok", "250 chunk 1", "552 5.3.4 enough");
        MailTransaction.Result r = run(wire, caps("CHUNKING"), false, request(big, false, false, OutboundRecipient.of("a@x.org")));
        assertThat(wire.data()).startsWith("BDAT " + ContentSender.BLOCK + "\r\n");
        assertThat(wire.data()).hasSize(2 * ("BDAT " + ContentSender.BLOCK + "\r\n").length() + 2 * ContentSender.BLOCK);
        assertThat(statuses(r)).containsExactly(Status.FAILED);
        assertThat(r.outcomes().get(0).reply().text()).isEqualTo("enough");
    }

    @Test
    void pipelinedBdatChunksThenLmtpReplies() {
        String big = "y".repeat(ContentSender.BLOCK + 1);
        ScriptedWire wire = new ScriptedWire("250 ok", "250 ok", "250 ok", "250 chunk", "250 a ok", "450 b later");
        MailTransaction.Result r = run(wire, caps("PIPELINING", "CHUNKING"), true,
                request(big, false, false, OutboundRecipient.of("a@x.org"), OutboundRecipient.of("b@x.org")));
        assertThat(wire.data()).startsWith("BDAT " + ContentSender.BLOCK + "\r\n")
                .contains("BDAT 3 LAST\r\ny\r\n");
        assertThat(statuses(r)).containsExactly(Status.DELIVERED, Status.DEFERRED);
    }

    @Test
    void emptyMessageAsBdat() {
        ScriptedWire wire = new ScriptedWire("250 ok", "250 ok", "250 ok");
        run(wire, caps("PIPELINING", "CHUNKING"), false, request("", false, false, OutboundRecipient.of("a@x.org")));
        assertThat(wire.data()).isEqualTo("BDAT 0 LAST\r\n");
    }

    @Test
    void sizeOverTheDeclaredMaximumFailsWithoutSendingAnything() {
        ScriptedWire wire = new ScriptedWire();
        MailTransaction.Result r = run(wire, caps("SIZE 10"), false, request("a@example.net"));
        assertThat(wire.commands).isEmpty();
        assertThat(statuses(r)).containsExactly(Status.FAILED);
        assertThat(r.outcomes().get(0).reply().enhancedStatus()).isEqualTo("5.3.4");
        assertThat(r.outcomes().get(0).reply().text()).contains("exceeds").contains("10");
        assertThat(r.reusable()).isTrue();
    }

    @Test
    void sizeParameterWhenOffered() {
        ScriptedWire wire = new ScriptedWire("250 ok", "250 ok", "354 go", "250 ok");
        run(wire, caps("SIZE 1000000", "PIPELINING"), false, request("a@example.net"));
        assertThat(wire.commands.get(0)).isEqualTo("MAIL FROM:<sender@example.org> SIZE=" + BODY.length());
    }

    @Test
    void eightBitMime() throws IOException {
        String body8 = "Subject: caf\u00e9\r\n\r\nx\r\n";
        ScriptedWire offered = new ScriptedWire("250 ok", "250 ok", "354 go", "250 ok");
        run(offered, caps("8BITMIME", "PIPELINING"), false, request(body8, true, false, OutboundRecipient.of("a@x.org")));
        assertThat(offered.commands.get(0)).endsWith(" BODY=8BITMIME");

        ScriptedWire missing = new ScriptedWire();
        MailTransaction.Result r = run(missing, caps("PIPELINING"), false, request(body8, true, false, OutboundRecipient.of("a@x.org")));
        assertThat(statuses(r)).containsExactly(Status.FAILED);
        assertThat(r.outcomes().get(0).reply().enhancedStatus()).isEqualTo("5.6.3");

        ScriptedWire clean = new ScriptedWire("250 ok", "250 ok", "354 go", "250 ok");
        MailTransaction.Result ok = run(clean, caps("PIPELINING"), false, request(BODY, true, false, OutboundRecipient.of("a@x.org")));
        assertThat(clean.commands.get(0)).isEqualTo("MAIL FROM:<sender@example.org>");
        assertThat(statuses(ok)).containsExactly(Status.DELIVERED);
    }

    @Test
    void smtpUtf8RequiredForNonAsciiAddresses() {
        ScriptedWire missing = new ScriptedWire();
        MailTransaction.Result r = run(missing, caps("8BITMIME"), false, request("j\u00f6rg@example.net"));
        assertThat(statuses(r)).containsExactly(Status.FAILED);
        assertThat(r.outcomes().get(0).reply().enhancedStatus()).isEqualTo("5.6.7");

        ScriptedWire offered = new ScriptedWire("250 ok", "250 ok", "354 go", "250 ok");
        run(offered, caps("SMTPUTF8", "8BITMIME", "PIPELINING"), false,
                request(BODY, true, true, OutboundRecipient.of("j\u00f6rg@example.net")));
        assertThat(offered.commands.get(0)).isEqualTo("MAIL FROM:<sender@example.org> BODY=8BITMIME SMTPUTF8");
    }

    @Test
    void dsnParametersOnlyWhenOffered() {
        OutboundRecipient r = new OutboundRecipient("a@x.org", "SUCCESS,FAILURE", "rfc822;a@x.org");
        ScriptedWire offered = new ScriptedWire("250 ok", "250 ok", "354 go", "250 ok");
        run(offered, caps("DSN", "PIPELINING"), false, request(BODY, false, false, r));
        assertThat(offered.commands.get(1)).isEqualTo("RCPT TO:<a@x.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;a@x.org");

        ScriptedWire absent = new ScriptedWire("250 ok", "250 ok", "354 go", "250 ok");
        run(absent, caps("PIPELINING"), false, request(BODY, false, false, r));
        assertThat(absent.commands.get(1)).isEqualTo("RCPT TO:<a@x.org>");

        ScriptedWire bad = new ScriptedWire("250 ok", "250 ok", "354 go", "250 ok");
        run(bad, caps("DSN", "PIPELINING"), false, request(BODY, false, false,
                new OutboundRecipient("a@x.org", "SUCCESS\r\nRSET", "rfc822;a@x.org x"), OutboundRecipient.of("b@x.org")));
        assertThat(bad.commands.get(1)).isEqualTo("RCPT TO:<a@x.org>");
    }

    private static DeliveryRequest withRetAndEnvid(String ret, String envid) {
        DeliveryRequest r = request("a@x.org");
        return new DeliveryRequest(r.queueId(), r.sender(), r.recipients(), r.route(), r.size(), false, false, r.content(),
                ret, envid);
    }

    @Test
    void retAndEnvidOnlyWhenOfferedAndNextHopDsnSaysSo() {
        ScriptedWire offered = new ScriptedWire("250 ok", "250 ok", "354 go", "250 ok");
        MailTransaction.Result withDsn = run(offered, caps("DSN", "PIPELINING"), false, withRetAndEnvid("FULL", "Q123+2B4"));
        assertThat(offered.commands.get(0)).isEqualTo("MAIL FROM:<sender@example.org> RET=FULL ENVID=Q123+2B4");
        assertThat(withDsn.nextHopDsn()).isTrue();

        ScriptedWire absent = new ScriptedWire("250 ok", "250 ok", "354 go", "250 ok");
        MailTransaction.Result withoutDsn = run(absent, caps("PIPELINING"), false, withRetAndEnvid("HDRS", "Q123"));
        assertThat(absent.commands.get(0)).isEqualTo("MAIL FROM:<sender@example.org>");
        assertThat(withoutDsn.nextHopDsn()).isFalse();

        ScriptedWire none = new ScriptedWire("250 ok", "250 ok", "354 go", "250 ok");
        run(none, caps("DSN", "PIPELINING"), false, withRetAndEnvid(null, null));
        assertThat(none.commands.get(0)).isEqualTo("MAIL FROM:<sender@example.org>");
    }

    @Test
    void malformedRetAndEnvidAreLeftOut() {
        for (String[] bad : List.of(new String[] {"ALL", "a=b"}, new String[] {"FULL\r\nRSET", "x y"},
                new String[] {"HDRS ENVID=x", "e".repeat(101)}, new String[] {"", "+zz"})) {
            ScriptedWire wire = new ScriptedWire("250 ok", "250 ok", "354 go", "250 ok");
            run(wire, caps("DSN", "PIPELINING"), false, withRetAndEnvid(bad[0], bad[1]));
            assertThat(wire.commands.get(0)).as(String.join(" | ", bad)).isEqualTo("MAIL FROM:<sender@example.org>");
        }
    }

    @Test
    void unsafeAddressesAreRefusedBeforeAnythingIsSent() {
        ScriptedWire wire = new ScriptedWire();
        MailTransaction.Result r = run(wire, caps(), false, request("a@x.org>\r\nRCPT TO:<evil@x.org"));
        assertThat(wire.commands).isEmpty();
        assertThat(r.outcomes().get(0).reply().enhancedStatus()).isEqualTo("5.1.3");
    }

    @Test
    void connectionLostMidDataDefersTheUndecidedOnly() {
        String big = "z".repeat(300_000);
        ScriptedWire wire = new ScriptedWire("250 ok", "550 5.1.1 gone", "250 ok", "354 go").failWritesAfter(100_000);
        MailTransaction.Result r = run(wire, caps("PIPELINING"), false,
                request(big, false, false, OutboundRecipient.of("a@x.org"), OutboundRecipient.of("b@x.org")));
        assertThat(statuses(r)).containsExactly(Status.FAILED, Status.DEFERRED);
        assertThat(r.outcomes().get(1).reply().code()).isZero();
        assertThat(r.outcomes().get(1).reply().text()).contains("connection reset");
        assertThat(r.reusable()).isFalse();
    }

    @Test
    void noFinalReplyDefers() {
        ScriptedWire wire = new ScriptedWire("250 ok", "250 ok", "354 go");
        MailTransaction.Result r = run(wire, caps("PIPELINING"), false, request("a@x.org"));
        assertThat(statuses(r)).containsExactly(Status.DEFERRED);
        assertThat(r.outcomes().get(0).reply().text()).contains("the reply to the end of data");
        assertThat(r.reusable()).isFalse();
    }

    @Test
    void unreadableContentDefers() {
        DeliveryRequest r = new DeliveryRequest("Q", "", List.of(OutboundRecipient.of("a@x.org")), "x.org", 10, false, false,
                () -> {
                    throw new IOException("spool file missing");
                });
        ScriptedWire wire = new ScriptedWire("250 ok", "250 ok", "354 go");
        MailTransaction.Result result = run(wire, caps("PIPELINING"), false, r);
        assertThat(wire.commands.get(0)).isEqualTo("MAIL FROM:<>");
        assertThat(statuses(result)).containsExactly(Status.DEFERRED);
        assertThat(result.outcomes().get(0).reply().text()).contains("spool file missing");
    }
}
