package dev.postern.protocol;

import dev.postern.ForwardPath;
import dev.postern.MailParameters;
import dev.postern.Mailbox;
import dev.postern.PathSyntax;
import dev.postern.ReversePath;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Parses the arguments of MAIL FROM and RCPT TO: a path in angle brackets (RFC 5321 4.1.2, with the
 * RFC 6531 3.3 UTF-8 extensions) followed by ESMTP parameters.
 *
 * <p>Non-ASCII characters are accepted by the grammar here; whether they are allowed (SMTPUTF8) is
 * the state machine's decision, so that it can answer 553 5.6.7 rather than a syntax error.
 * Source routes ({@code <@a,@b:user@c>}) are parsed and dropped (RFC 5321 C). One space (or more)
 * after the colon is tolerated, as most servers do.
 */
public final class PathParser {

    // RFC 5321 4.5.3.1.1-3: octet limits.
    static final int MAX_LOCAL_PART = 64;
    static final int MAX_DOMAIN = 255;
    static final int MAX_PATH = 256;

    /** A parsed path and its parameters. */
    public record Parsed<P>(P path, MailParameters parameters) {
    }

    private final String s;
    private final PathSyntax syntax;
    private int pos;

    private PathParser(String s, PathSyntax syntax) {
        this.s = s;
        this.syntax = syntax;
    }

    /** Parses {@code <path> [params]} after {@code MAIL FROM:}. */
    public static Parsed<ReversePath> parseReversePath(String args) throws PathSyntaxException {
        return parseReversePath(args, PathSyntax.STRICT);
    }

    /** Parses {@code <path> [params]} after {@code MAIL FROM:}; LENIENT also takes {@code path [params]}. */
    public static Parsed<ReversePath> parseReversePath(String args, PathSyntax syntax) throws PathSyntaxException {
        PathParser p = new PathParser(args, syntax);
        p.skipSpaces();
        int start = p.pos;
        ReversePath path;
        if (p.s.startsWith("<>", p.pos)) {
            p.pos += 2;
            path = ReversePath.NULL;
        } else {
            path = ReversePath.of(p.path(start));
        }
        return new Parsed<>(path, p.parameters());
    }

    /** Parses {@code <path> [params]} after {@code RCPT TO:}; accepts {@code <Postmaster>}. */
    public static Parsed<ForwardPath> parseForwardPath(String args) throws PathSyntaxException {
        return parseForwardPath(args, PathSyntax.STRICT);
    }

    /**
     * Parses {@code <path> [params]} after {@code RCPT TO:}; accepts {@code <Postmaster>}; LENIENT also
     * takes {@code path [params]} (but not a bare {@code Postmaster}: a mailbox has a domain).
     */
    public static Parsed<ForwardPath> parseForwardPath(String args, PathSyntax syntax) throws PathSyntaxException {
        PathParser p = new PathParser(args, syntax);
        p.skipSpaces();
        int start = p.pos;
        ForwardPath path;
        // RFC 5321 4.1.1.3: "<Postmaster>" without domain, case-insensitive.
        if (p.s.regionMatches(true, p.pos, "<Postmaster>", 0, 12)) {
            p.pos += 12;
            path = ForwardPath.POSTMASTER;
        } else {
            path = ForwardPath.of(p.path(start));
        }
        return new Parsed<>(path, p.parameters());
    }

    private Mailbox path(int start) throws PathSyntaxException {
        if (syntax == PathSyntax.LENIENT && peek() != '<') {
            // Postfix's strict_rfc821_envelopes = no: a bare address, up to the first space
            Mailbox mailbox = mailbox();
            if (utf8Length(s, start, pos) + 2 > MAX_PATH) {
                throw new PathSyntaxException("path longer than " + MAX_PATH + " octets");
            }
            return mailbox;
        }
        expect('<', "address must be in angle brackets");
        if (peek() == '@') {
            sourceRoute();
        }
        Mailbox mailbox = mailbox();
        expect('>', "missing '>' or bad character in address");
        if (utf8Length(s, start, pos) > MAX_PATH) {
            throw new PathSyntaxException("path longer than " + MAX_PATH + " octets");
        }
        return mailbox;
    }

    private void sourceRoute() throws PathSyntaxException {
        // A-d-l = At-domain *( "," At-domain ) ":" ; RFC 5321 4.1.2 says to ignore it.
        do {
            expect('@', "bad source route");
            domain();
        } while (accept(','));
        expect(':', "bad source route");
    }

    private Mailbox mailbox() throws PathSyntaxException {
        int localStart = pos;
        if (peek() == '"') {
            quotedString();
        } else {
            dotString();
        }
        String local = s.substring(localStart, pos);
        if (utf8Length(local, 0, local.length()) > MAX_LOCAL_PART) {
            throw new PathSyntaxException("local part longer than " + MAX_LOCAL_PART + " octets");
        }
        expect('@', "address must have a domain");
        int domainStart = pos;
        if (peek() == '[') {
            addressLiteral();
        } else {
            domain();
        }
        String domain = s.substring(domainStart, pos);
        if (utf8Length(domain, 0, domain.length()) > MAX_DOMAIN) {
            throw new PathSyntaxException("domain longer than " + MAX_DOMAIN + " octets");
        }
        return new Mailbox(local, domain);
    }

    private void dotString() throws PathSyntaxException {
        atom();
        while (accept('.')) {
            atom();
        }
    }

    private void atom() throws PathSyntaxException {
        int start = pos;
        while (pos < s.length() && isAtext(s.charAt(pos))) {
            pos++;
        }
        if (pos == start) {
            throw new PathSyntaxException("bad character in local part");
        }
    }

    private void quotedString() throws PathSyntaxException {
        pos++; // opening DQUOTE
        while (pos < s.length()) {
            char c = s.charAt(pos++);
            if (c == '"') {
                return;
            }
            if (c == '\\') {
                // quoted-pairSMTP = %d92 %d32-126
                if (pos >= s.length() || s.charAt(pos) < 32 || s.charAt(pos) > 126) {
                    throw new PathSyntaxException("bad quoted pair in local part");
                }
                pos++;
            } else if (!(c == 32 || c == 33 || (c >= 35 && c <= 91) || (c >= 93 && c <= 126) || c >= 0x80)) {
                throw new PathSyntaxException("bad character in quoted local part");
            }
        }
        throw new PathSyntaxException("unterminated quoted local part");
    }

    private void domain() throws PathSyntaxException {
        subDomain();
        while (accept('.')) {
            subDomain();
        }
    }

    private void subDomain() throws PathSyntaxException {
        // sub-domain = Let-dig [Ldh-str]; RFC 6531 allows U-labels.
        int start = pos;
        while (pos < s.length() && isLdh(s.charAt(pos))) {
            pos++;
        }
        if (pos == start) {
            throw new PathSyntaxException("bad domain");
        }
        if (s.charAt(start) == '-' || s.charAt(pos - 1) == '-') {
            throw new PathSyntaxException("domain label must not start or end with '-'");
        }
    }

    private void addressLiteral() throws PathSyntaxException {
        int close = s.indexOf(']', pos);
        if (close < 0) {
            throw new PathSyntaxException("unterminated address literal");
        }
        String literal = s.substring(pos + 1, close);
        if (!AddressLiterals.isValid(literal)) {
            throw new PathSyntaxException("bad address literal");
        }
        pos = close + 1;
    }

    private MailParameters parameters() throws PathSyntaxException {
        if (pos == s.length()) {
            return MailParameters.NONE;
        }
        if (s.charAt(pos) != ' ') {
            throw new PathSyntaxException("unexpected characters after address");
        }
        Map<String, String> params = new LinkedHashMap<>();
        while (true) {
            skipSpaces();
            if (pos == s.length()) {
                break;
            }
            int end = s.indexOf(' ', pos);
            if (end < 0) {
                end = s.length();
            }
            String param = s.substring(pos, end);
            pos = end;
            int eq = param.indexOf('=');
            String keyword = eq < 0 ? param : param.substring(0, eq);
            String value = eq < 0 ? "" : param.substring(eq + 1);
            if (!isKeyword(keyword)) {
                // the reply quotes it: no control character from the client (found by SmtpProtocolFuzzTest)
                throw new PathSyntaxException("bad parameter keyword: " + keyword.replaceAll("[\\x00-\\x1f\\x7f]", "?"));
            }
            if (eq >= 0 && !isValue(value)) {
                throw new PathSyntaxException("bad parameter value for " + keyword);
            }
            if (params.put(keyword.toUpperCase(Locale.ROOT), value) != null) {
                throw new PathSyntaxException("duplicate parameter " + keyword);
            }
        }
        return new MailParameters(params);
    }

    // esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
    private static boolean isKeyword(String k) {
        if (k.isEmpty() || !isAlnum(k.charAt(0))) {
            return false;
        }
        for (int i = 1; i < k.length(); i++) {
            char c = k.charAt(i);
            if (!isAlnum(c) && c != '-') {
                return false;
            }
        }
        return true;
    }

    // esmtp-value = 1*(%d33-60 / %d62-126), plus UTF-8 under RFC 6531
    private static boolean isValue(String v) {
        if (v.isEmpty()) {
            return false;
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (!((c >= 33 && c <= 60) || (c >= 62 && c <= 126) || c >= 0x80)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAlnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    private static boolean isLdh(char c) {
        return isAlnum(c) || c == '-' || c >= 0x80;
    }

    // RFC 5322 3.2.3 atext, plus UTF8-non-ascii (RFC 6531 3.3)
    private static boolean isAtext(char c) {
        if (isAlnum(c) || c >= 0x80) {
            return true;
        }
        return "!#$%&'*+-/=?^_`{|}~".indexOf(c) >= 0;
    }

    private void skipSpaces() {
        while (pos < s.length() && s.charAt(pos) == ' ') {
            pos++;
        }
    }

    private int peek() {
        return pos < s.length() ? s.charAt(pos) : -1;
    }

    private boolean accept(char c) {
        if (pos < s.length() && s.charAt(pos) == c) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(char c, String error) throws PathSyntaxException {
        if (!accept(c)) {
            throw new PathSyntaxException(error);
        }
    }

    static int utf8Length(String str, int from, int to) {
        boolean ascii = true;
        for (int i = from; i < to; i++) {
            if (str.charAt(i) >= 0x80) {
                ascii = false;
                break;
            }
        }
        return ascii ? to - from : str.substring(from, to).getBytes(StandardCharsets.UTF_8).length;
    }
}
