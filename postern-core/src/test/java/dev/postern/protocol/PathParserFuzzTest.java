package dev.postern.protocol;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.postern.ForwardPath;
import dev.postern.MailParameters;
import dev.postern.Mailbox;
import dev.postern.ReversePath;
import dev.postern.SmtpServerConfig;
import dev.postern.auth.AuthConfig;
import dev.postern.auth.AuthMechanism;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Pattern;

import static dev.postern.testing.FuzzChecks.check;
import static dev.postern.testing.FuzzChecks.show;

/**
 * Fuzzes the MAIL FROM / RCPT TO argument parser ({@link PathParser}, RFC 5321 4.1.2 with RFC 6531) and the
 * MAIL parameter rules ({@link MailFromParameters}).
 *
 * <p>Invariants: any text either parses or fails with {@link PathSyntaxException}, nothing else; a parsed
 * mailbox keeps the octet limits (local part 64, domain 255) and, written back as {@code <mailbox>},
 * parses to the same mailbox (source routes aside); parameter keywords are upper-case esmtp-keywords and
 * values esmtp-values; the parameter rules accept or refuse with a 5xx, and never accept a declared SIZE
 * over the limit.
 */
class PathParserFuzzTest {

    private static final Pattern KEYWORD = Pattern.compile("[A-Z0-9][A-Z0-9-]*");
    private static final SmtpServerConfig SMALL = SmtpServerConfig.builder().hostname("mx.test").maxMessageSize(1000).build();
    private static final SmtpServerConfig WITH_AUTH = SmtpServerConfig.builder().hostname("mx.test")
            .auth(AuthConfig.of(AuthMechanism.PLAIN)).extensions(new SmtpServerConfig.Extensions(false, false, false, true, true, true)).build();

    @FuzzTest(maxDuration = "5m")
    void path(byte[] input) {
        String args = new String(input, StandardCharsets.UTF_8);
        try {
            PathParser.Parsed<ReversePath> reverse = PathParser.parseReversePath(args);
            reverse.path().asMailbox().ifPresent(m -> roundTrip(m, args));
            parameters(reverse.parameters(), args);
        } catch (PathSyntaxException expected) {
            check(expected.getMessage() != null && !expected.getMessage().isEmpty(), "refusal without a reason");
        }
        try {
            PathParser.Parsed<ForwardPath> forward = PathParser.parseForwardPath(args);
            if (forward.path().mailbox() != null) {
                roundTrip(forward.path().mailbox(), args);
            }
            parameters(forward.parameters(), args);
        } catch (PathSyntaxException expected) {
            check(expected.getMessage() != null, "refusal without a reason");
        }
    }

    private static void roundTrip(Mailbox m, String args) {
        check(m.localPart().getBytes(StandardCharsets.UTF_8).length <= PathParser.MAX_LOCAL_PART, "local part over 64 octets: " + show(args));
        check(m.domain().getBytes(StandardCharsets.UTF_8).length <= PathParser.MAX_DOMAIN, "domain over 255 octets: " + show(args));
        check(m.toString().chars().noneMatch(c -> c < 0x20 || c == 0x7f), "control character in a mailbox: " + show(args));
        try {
            Mailbox again = PathParser.parseForwardPath("<" + m + ">").path().mailbox();
            check(m.equals(again), "<" + m + "> parses to " + again);
        } catch (PathSyntaxException e) {
            throw new AssertionError("<" + m + "> from " + show(args) + " does not parse again: " + e.getMessage());
        }
    }

    private static void parameters(MailParameters params, String args) {
        for (Map.Entry<String, String> p : params.values().entrySet()) {
            check(KEYWORD.matcher(p.getKey()).matches(), "bad keyword " + show(p.getKey()) + " from " + show(args));
            check(p.getValue().chars().noneMatch(c -> c <= ' ' || c == '=' || c == 0x7f), "bad value " + show(p.getValue()));
        }
        for (SmtpServerConfig config : new SmtpServerConfig[] {SMALL, WITH_AUTH}) {
            for (boolean esmtp : new boolean[] {true, false}) {
                switch (MailFromParameters.check(params, esmtp, config)) {
                    case MailFromParameters.Accepted a -> {
                        check(a.declaredSize() <= config.maxMessageSize(), "SIZE " + a.declaredSize() + " accepted over the limit");
                        check(esmtp || params.isEmpty(), "parameters accepted after HELO");
                    }
                    case MailFromParameters.Refused r -> check(r.reply().code() / 100 == 5, "parameters refused with " + r.reply());
                }
            }
        }
    }
}
