package dev.postern.server;

import dev.postern.BodyType;
import dev.postern.Envelope;
import dev.postern.ForwardPath;
import dev.postern.MailParameters;
import dev.postern.Mailbox;
import dev.postern.Recipient;
import dev.postern.ReversePath;
import dev.postern.tls.TlsInfo;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ReceivedFieldTest {

    private static final ZonedDateTime NOW = ZonedDateTime.of(2024, 3, 5, 9, 7, 2, 0, ZoneOffset.ofHours(2));

    private static Envelope envelope(boolean smtpUtf8, String... recipients) {
        List<Recipient> rcpts = java.util.Arrays.stream(recipients)
                .map(r -> new Recipient(ForwardPath.of(new Mailbox(r.substring(0, r.indexOf('@')), r.substring(r.indexOf('@') + 1))),
                        MailParameters.NONE))
                .toList();
        return new Envelope(ReversePath.of(new Mailbox("from", "example.com")), MailParameters.NONE, rcpts,
                BodyType.UNSPECIFIED, smtpUtf8, -1);
    }

    @Test
    void singleRecipientFormAsRfc5321Section44() {
        FakeSession s = new FakeSession();
        s.envelope = envelope(false, "bob@example.org");
        assertThat(ReceivedField.value(s, "mx.example.org", "S1", NOW)).isEqualTo(
                "from client.example (unknown [192.0.2.7]) by mx.example.org (Postern) with ESMTP id S1"
                        + " for <bob@example.org>; Tue, 5 Mar 2024 09:07:02 +0200");
    }

    @Test
    void theAuthenticatedUserIsNamedOnlyWhenAskedFor() {
        FakeSession s = new FakeSession();
        s.envelope = envelope(false, "bob@example.org");
        s.user = "alice@example.org";
        assertThat(ReceivedField.value(s, "mx.example.org", "S1", NOW)).isEqualTo(
                "from client.example (unknown [192.0.2.7]) by mx.example.org (Postern) with ESMTPA id S1"
                        + " for <bob@example.org>; Tue, 5 Mar 2024 09:07:02 +0200");
        assertThat(ReceivedField.value(s, "mx.example.org", "S1", NOW, false)).doesNotContain("alice");
        assertThat(ReceivedField.value(s, "mx.example.org", "S1", NOW, true)).isEqualTo(
                "from client.example (unknown [192.0.2.7]) (Authenticated sender: alice@example.org) by mx.example.org"
                        + " (Postern) with ESMTPA id S1 for <bob@example.org>; Tue, 5 Mar 2024 09:07:02 +0200");
        s.user = null;
        assertThat(ReceivedField.value(s, "mx.example.org", "S1", NOW, true)).as("not authenticated")
                .isEqualTo(ReceivedField.value(s, "mx.example.org", "S1", NOW));
    }

    @Test
    void aUserNameCannotBreakTheCommentOrTheHeader() {
        assertThat(ReceivedField.commentText("a(b)c\\d")).isEqualTo("a\\(b\\)c\\\\d");
        assertThat(ReceivedField.commentText("plain user")).isEqualTo("plain user");
        assertThat(ReceivedField.commentText("bé")).isEqualTo("=?UTF-8?B?YsOp?=");
        assertThat(ReceivedField.commentText("x\r\nBcc: y")).isEqualTo("=?UTF-8?B?eA0KQmNjOiB5?=");
        String long100 = "é".repeat(30) + "😀".repeat(10);
        String words = ReceivedField.commentText(long100);
        assertThat(words.split(" ")).allSatisfy(w -> assertThat(w).matches("=\\?UTF-8\\?B\\?[A-Za-z0-9+/=]+\\?=").hasSizeLessThanOrEqualTo(75));
        StringBuilder decoded = new StringBuilder();
        for (String w : words.split(" ")) {
            decoded.append(new String(java.util.Base64.getDecoder().decode(w.substring(10, w.length() - 2)),
                    java.nio.charset.StandardCharsets.UTF_8));
        }
        assertThat(decoded).hasToString(long100);
        assertThat(words.split(" ")).hasSize(3);
    }

    @Test
    void xforwardNamesTheUpstreamClient() {
        FakeSession s = new FakeSession();
        s.xforward = java.util.Map.of("NAME", "up.example.net", "ADDR", "2001:db8::7", "HELO", "up-helo", "PORT", "4000");
        assertThat(ReceivedField.value(s, "mx", "S1", NOW))
                .startsWith("from up-helo (up.example.net [IPv6:2001:db8::7]) by mx (Postern) with ESMTP id S1;");
        s.xforward = java.util.Map.of("NAME", "", "ADDR", "198.51.100.20");
        assertThat(ReceivedField.value(s, "mx", "S1", NOW))
                .as("unavailable NAME; HELO not forwarded keeps the session's")
                .startsWith("from client.example (unknown [198.51.100.20]) by mx");
        s.xforward = java.util.Map.of("ADDR", "", "HELO", "");
        assertThat(ReceivedField.value(s, "mx", "S1", NOW)).startsWith("from unknown (unknown [unknown]) by mx");
    }

    @Test
    void severalRecipientsAreNotDisclosed() {
        FakeSession s = new FakeSession();
        s.envelope = envelope(false, "bob@example.org", "carol@example.org");
        assertThat(ReceivedField.value(s, "mx", "S1", NOW)).doesNotContain(" for ").doesNotContain("bob");
    }

    @Test
    void reverseDnsNameAndIpv6Literal() {
        FakeSession s = new FakeSession();
        s.remoteHostName = "host.example.net";
        s.remote = new InetSocketAddress("2001:db8::1", 40000);
        assertThat(ReceivedField.value(s, "mx", "S1", NOW)).startsWith("from client.example (host.example.net [IPv6:2001:db8:0:0:0:0:0:1]) by mx ");
    }

    @Test
    void protocolNamesFollowRfc3848AndRfc6531() {
        FakeSession s = new FakeSession();
        s.esmtp = false;
        assertThat(ReceivedField.protocol(s)).isEqualTo("SMTP");
        s.esmtp = true;
        assertThat(ReceivedField.protocol(s)).isEqualTo("ESMTP");
        s.secure = true;
        assertThat(ReceivedField.protocol(s)).isEqualTo("ESMTPS");
        s.user = "alice";
        assertThat(ReceivedField.protocol(s)).isEqualTo("ESMTPSA");
        s.secure = false;
        assertThat(ReceivedField.protocol(s)).isEqualTo("ESMTPA");
        s.envelope = envelope(true, "bob@example.org");
        assertThat(ReceivedField.protocol(s)).isEqualTo("UTF8SMTPA");
        s.secure = true;
        assertThat(ReceivedField.protocol(s)).isEqualTo("UTF8SMTPSA");
    }

    @Test
    void onAnLmtpListenerTheProtocolIsLmtp() {
        FakeSession s = new FakeSession();
        s.listener = dev.postern.Listener.of("127.0.0.1", 24).withLmtp(true);
        assertThat(ReceivedField.protocol(s)).isEqualTo("LMTP");
        s.secure = true;
        assertThat(ReceivedField.protocol(s)).isEqualTo("LMTPS");
        s.user = "alice";
        assertThat(ReceivedField.protocol(s)).isEqualTo("LMTPSA");
        s.secure = false;
        assertThat(ReceivedField.protocol(s)).isEqualTo("LMTPA");
        s.envelope = envelope(true, "bob@example.org");
        assertThat(ReceivedField.protocol(s)).isEqualTo("UTF8LMTPA");
        s.listener = s.listener.withLmtp(false);
        assertThat(ReceivedField.protocol(s)).isEqualTo("UTF8SMTPA");
    }

    @Test
    void tlsSessionsNameTheCipherSuiteInTheRfc8314TlsClauseAfterFor() {
        FakeSession s = new FakeSession();
        s.envelope = envelope(false, "bob@example.org");
        s.tls = new TlsInfo("TLSv1.3", "TLS_AES_256_GCM_SHA384", List.of(), "mx.example.org", false);
        assertThat(ReceivedField.value(s, "mx.example.org", "S1", NOW)).isEqualTo(
                "from client.example (unknown [192.0.2.7]) by mx.example.org (Postern) with ESMTPS id S1"
                        + " for <bob@example.org> tls TLS_AES_256_GCM_SHA384; Tue, 5 Mar 2024 09:07:02 +0200");
        s.envelope = envelope(false, "bob@example.org", "carol@example.org");
        s.tls = new TlsInfo("TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", List.of(), null, true);
        assertThat(ReceivedField.value(s, "mx", "S1", NOW))
                .endsWith(" with ESMTPS id S1 tls TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256; Tue, 5 Mar 2024 09:07:02 +0200");
    }

    @Test
    void plainSessionsHaveNoTlsClause() {
        FakeSession s = new FakeSession();
        assertThat(ReceivedField.value(s, "mx", "S1", NOW)).doesNotContain(" tls ");
        s.secure = true;
        assertThat(ReceivedField.value(s, "mx", "S1", NOW)).as("secure, but the TLS layer is unknown")
                .contains(" with ESMTPS id S1;").doesNotContain(" tls ");
    }

    @Test
    void noHeloGivesUnknown() {
        FakeSession s = new FakeSession();
        s.heloName = null;
        assertThat(ReceivedField.value(s, "mx", "S1", NOW)).startsWith("from unknown (unknown [192.0.2.7])");
    }
}
