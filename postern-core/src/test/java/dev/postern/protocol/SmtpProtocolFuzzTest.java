package dev.postern.protocol;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.postern.ForwardPath;
import dev.postern.LineEndingPolicy;
import dev.postern.MailParameters;
import dev.postern.ReceivedMessage;
import dev.postern.ServerMetrics.Counter;
import dev.postern.SmtpHandler;
import dev.postern.SmtpRejection;
import dev.postern.SmtpServerConfig;
import dev.postern.SmtpSession;
import dev.postern.auth.AuthConfig;
import dev.postern.auth.AuthMechanism;
import dev.postern.auth.Credentials;
import dev.postern.proxy.TrustedSources;
import dev.postern.testing.FuzzChecks;
import dev.postern.testing.FuzzChecks.Reply;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

import static dev.postern.testing.FuzzChecks.check;
import static dev.postern.testing.FuzzChecks.show;

/**
 * Fuzzes a whole session: arbitrary client bytes into the protocol (framer, dispatcher, every command
 * family, DATA, BDAT, AUTH, XCLIENT, XFORWARD) through {@link ProtocolHarness}, under two configurations,
 * a permissive one (everything offered, errors do not end the session, so the fuzzer goes deep) and a
 * tight one (STRICT line endings, small bounds, PIPELINING off), and the permissive one on an LMTP
 * listener (LHLO, a reply per recipient after the content).
 *
 * <p>Invariants: every byte written is a well-formed reply (RFC 5321 4.2); nothing is written after a
 * closing reply; no more replies than the client sent lines, plus the greetings; the reply counters agree
 * with the replies; every message the handler got fits the size bound and, unless LEAVE, holds no bare CR
 * or LF; each message ends in exactly one of accept (250 after the content) or reject, and only accepted
 * ones count as accepted; the bytes left unread stay within the line buffer bound; and the same bytes
 * delivered at once, one byte at a time or in pieces give the same replies and the same messages.
 */
class SmtpProtocolFuzzTest {

    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    static final Consumer<SmtpServerConfig.Builder> OPEN = b -> b
            .auth(AuthConfig.of(AuthMechanism.PLAIN, AuthMechanism.LOGIN, AuthMechanism.CRAM_MD5, AuthMechanism.XOAUTH2)
                    .andAllowPlaintext())
            .xclientHosts(TrustedSources.parse("127.0.0.0/8"))
            .xforwardHosts(TrustedSources.parse("127.0.0.0/8"))
            .maxErrors(100_000)
            .maxRecipients(5)
            .maxMessageSize(2048)
            .maxHeaderBytes(512);

    static final Consumer<SmtpServerConfig.Builder> TIGHT = b -> b
            .lineEndings(LineEndingPolicy.STRICT)
            .auth(AuthConfig.of(AuthMechanism.PLAIN, AuthMechanism.LOGIN).andAllowPlaintext().andRequired())
            .maxCommandLineLength(512)
            .maxLineBufferBytes(600)
            .maxRecipients(2)
            .maxMessageSize(256)
            .maxHeaderBytes(128)
            .maxErrors(5)
            .extensions(new SmtpServerConfig.Extensions(true, true, true, false, true, true));

    static final Consumer<SmtpServerConfig.Builder> LEAVE = OPEN.andThen(b -> b.lineEndings(LineEndingPolicy.LEAVE));

    /** What one run gave: the reply stream and the messages the handler accepted. */
    record Run(String wire, List<String> messages) {
    }

    @FuzzTest(maxDuration = "5m")
    void session(byte[] input) {
        Run whole = run(OPEN, input, new int[0]);
        if (!contains(input, V2_SIGNATURE)) {
            // (a v2 signature at the start of a read is refused, so where reads start matters there)
            Run bytewise = run(OPEN, input, everyByte(input.length));
            Run pieces = run(OPEN, input, FuzzChecks.cuts(input, 6));
            check(bytewise.equals(whole), "byte at a time differs from at once: " + difference(bytewise, whole));
            check(pieces.equals(whole), "in pieces differs from at once: " + difference(pieces, whole));
        }
        run(LEAVE, input, FuzzChecks.cuts(input, 3));
        run(TIGHT, input, new int[0]);
        run(TIGHT, input, FuzzChecks.cuts(input, 9));
        run(OPEN, input, FuzzChecks.cuts(input, 4), LMTP);
    }

    private static final dev.postern.Listener LMTP = dev.postern.Listener.of("127.0.0.1", 24).withLmtp(true);
    private static final java.util.regex.Pattern QUEUED_AS = java.util.regex.Pattern.compile("Ok: queued as (\\S+)$");

    private static Run run(Consumer<SmtpServerConfig.Builder> configure, byte[] input, int[] cuts) {
        return run(configure, input, cuts, null);
    }

    /** One session of {@code input}, cut at {@code cuts}, on {@code listener} (null: an SMTP one). */
    private static Run run(Consumer<SmtpServerConfig.Builder> configure, byte[] input, int[] cuts, dev.postern.Listener listener) {
        boolean lmtp = listener != null && listener.lmtp();
        RecordingHandler handler = new RecordingHandler();
        ProtocolHarness h = new ProtocolHarness(handler, configure, null, listener);
        SmtpServerConfig config = configureOnly(configure);
        StringBuilder wire = new StringBuilder(h.connect());
        boolean closed = h.protocol.isClosed();
        int from = 0;
        int lines = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int to = i < cuts.length ? cuts[i] : input.length;
            byte[] piece = Arrays.copyOfRange(input, from, to);
            from = to;
            String out = h.feed(piece);
            check(!closed || out.isEmpty(), "replies after the session closed: " + show(out));
            wire.append(out);
            closed = h.protocol.isClosed();
            // an open session keeps at most one incomplete line unread; DATA and BDAT consume as they go
            check(closed || h.buffered() <= config.maxLineBufferBytes(),
                    "unread bytes " + h.buffered() + " over the line buffer bound " + config.maxLineBufferBytes());
        }
        for (byte b : input) {
            if (b == '\n') {
                lines++;
            }
        }
        String all = wire.toString();
        List<Reply> replies = FuzzChecks.replies(all);
        long greetings = replies.stream().filter(r -> r.code() == 220 && r.last().contains("ESMTP")).count();
        // LMTP answers the content's last line once per recipient
        int perLine = lmtp ? Math.max(1, config.maxRecipients()) : 1;
        check(replies.size() <= (long) lines * perLine + greetings + 1 + input.length / Math.max(1, config.maxLineBufferBytes()),
                replies.size() + " replies to " + lines + " lines");
        check(h.metrics.get(Counter.REPLIES_4XX) == replies.stream().filter(r -> r.code() / 100 == 4).count(), "4xx counter " + h.metrics.get(Counter.REPLIES_4XX) + " for replies " + replies);
        check(h.metrics.get(Counter.REPLIES_5XX) == replies.stream().filter(r -> r.code() / 100 == 5).count(), "5xx counter disagrees");
        // a message taken is one "queued as" id: one reply on SMTP, one per accepted recipient on LMTP
        long queued = replies.stream().filter(r -> r.code() == 250 && (lmtp ? r.last().startsWith("250 2.0.0 <")
                        : r.last().startsWith("250 2.0.0 Ok: queued as ")))
                .map(r -> QUEUED_AS.matcher(r.last())).filter(java.util.regex.Matcher::find).map(m -> m.group(1)).distinct().count();
        check(queued == handler.accepted.size(), queued + " 250 queued replies for " + handler.accepted.size() + " accepted messages");
        check(h.metrics.get(Counter.MESSAGES_ACCEPTED) == queued, "accepted counter disagrees");
        check(handler.offered == handler.accepted.size() + handler.rejected, "a message both accepted and rejected, or neither");
        for (String m : handler.accepted) {
            byte[] bytes = m.getBytes(StandardCharsets.ISO_8859_1);
            check(bytes.length <= config.maxMessageSize() + 200, "message of " + bytes.length + " octets over the bound");
            if (config.lineEndings() != LineEndingPolicy.LEAVE) {
                check(!DataDecoderFuzzTest.hasBareLineEnd(bytes), "message with a bare CR or LF: " + show(m));
            }
        }
        h.protocol.disconnect();
        check(h.sinks.allClosed(), "a message sink was left open");
        return new Run(normalized(all), handler.accepted);
    }

    private static SmtpServerConfig configureOnly(Consumer<SmtpServerConfig.Builder> configure) {
        SmtpServerConfig.Builder b = SmtpServerConfig.builder().hostname("mx.test");
        configure.accept(b);
        return b.build();
    }

    /** Accepts what is not marked for refusal: RCPT to "reject@", messages holding "REJECT", passwords other than "secret". */
    static final class RecordingHandler implements SmtpHandler {
        final List<String> accepted = new ArrayList<>();
        int offered;
        int rejected;

        @Override
        public String onAuth(SmtpSession session, Credentials credentials) {
            if (credentials instanceof Credentials.Password p && p.password().equals("secret")) {
                return p.username();
            }
            throw SmtpRejection.of(535, "5.7.8", "Authentication credentials invalid");
        }

        @Override
        public ForwardPath onRcptTo(SmtpSession session, ForwardPath to, MailParameters parameters) {
            if (to.address().startsWith("reject@")) {
                throw SmtpRejection.of(550, "5.1.1", "No such user");
            }
            return to;
        }

        @Override
        public void onMessage(SmtpSession session, ReceivedMessage message) throws Exception {
            offered++;
            String text = new String(message.readAllBytes(), StandardCharsets.ISO_8859_1);
            if (text.contains("REJECT")) {
                rejected++;
                throw SmtpRejection.of(554, "5.7.1", "Refused");
            }
            accepted.add(text);
        }
    }

    private static final java.util.regex.Pattern CRAM_MD5_CHALLENGE = java.util.regex.Pattern.compile("334 ([A-Za-z0-9+/=]+)\r\n");

    /** The parts of a reply stream that differ from run to run by design: message ids and CRAM-MD5's random challenge. */
    private static String normalized(String wire) {
        String ids = wire.replaceAll("queued as \\S+", "queued as ID");
        return CRAM_MD5_CHALLENGE.matcher(ids).replaceAll(m -> {
            String text = new String(java.util.Base64.getDecoder().decode(m.group(1)), StandardCharsets.ISO_8859_1);
            return text.matches("<\\d+\\.\\d+@.*>") ? "334 CRAM-MD5-CHALLENGE\r\n" : m.group();
        });
    }

    /** Where two runs part: the replies from the first difference on. */
    private static String difference(Run a, Run b) {
        if (!a.wire.equals(b.wire)) {
            int i = 0;
            while (i < a.wire.length() && i < b.wire.length() && a.wire.charAt(i) == b.wire.charAt(i)) {
                i++;
            }
            int from = Math.max(0, a.wire.lastIndexOf("\r\n", Math.max(0, i - 1)) - 60);
            return "\n" + show(a.wire.substring(from)) + "\n--- instead of ---\n" + show(b.wire.substring(from));
        }
        return "messages " + a.messages + " instead of " + b.messages;
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static int[] everyByte(int length) {
        int[] cuts = new int[Math.max(0, length - 1)];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = i + 1;
        }
        return cuts;
    }
}
