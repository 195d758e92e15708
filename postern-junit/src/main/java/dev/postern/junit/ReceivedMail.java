package dev.postern.junit;

import dev.postern.Envelope;
import dev.postern.HeaderField;
import dev.postern.Recipient;

import java.io.ByteArrayInputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A message the test server accepted: its envelope and its exact content, kept in memory after the
 * session has moved on.
 *
 * <pre>{@code
 * ReceivedMail mail = smtp.awaitMessages(1, Duration.ofSeconds(5)).getFirst();
 * assertThat(mail.envelope().reversePath().address()).isEqualTo("app@example.org");
 * assertThat(mail.recipients()).containsExactly("alice@example.org");
 * assertThat(mail.subject()).isEqualTo("Welcome");
 * assertThat(mail.mimeMessage().getContent()).isEqualTo("Hello\r\n");   // with Angus Mail
 * }</pre>
 */
public final class ReceivedMail {

    private final String id;
    private final Envelope envelope;
    private final Instant receivedAt;
    private final List<HeaderField> headers;
    private final byte[] content;

    ReceivedMail(String id, Envelope envelope, Instant receivedAt, List<HeaderField> headers, byte[] content) {
        this.id = id;
        this.envelope = envelope;
        this.receivedAt = receivedAt;
        this.headers = List.copyOf(headers);
        this.content = content;
    }

    /**
     * The id the server gave the message in its 250 reply.
     *
     * @return the message id, e.g. {@code HBC3QWVIMB.1}
     */
    public String id() {
        return id;
    }

    /**
     * The envelope: reverse path (sender), recipients with their RCPT parameters, MAIL parameters.
     *
     * @return the envelope the client sent
     */
    public Envelope envelope() {
        return envelope;
    }

    /**
     * The envelope sender.
     *
     * @return the reverse path's address; empty for the null reverse path {@code <>} (a bounce)
     */
    public String sender() {
        return envelope.reversePath().address();
    }

    /**
     * The envelope recipients' addresses, in RCPT order.
     *
     * @return the addresses, e.g. {@code alice@example.org}
     */
    public List<String> recipients() {
        return envelope.recipients().stream().map(Recipient::path).map(p -> p.address()).toList();
    }

    /**
     * When the client started sending the content (DATA or the first BDAT accepted).
     *
     * @return the server's time for it
     */
    public Instant receivedAt() {
        return receivedAt;
    }

    /**
     * The exact octets the server accepted: the header section and body, dot-unstuffed, with the
     * server's line-ending policy applied, without the terminating {@code .} line.
     *
     * @return a copy of the content
     */
    public byte[] content() {
        return content.clone();
    }

    /**
     * The content as text, for assertions on messages known to be text.
     *
     * @return the content decoded as UTF-8 (US-ASCII is a subset); malformed octets become U+FFFD
     */
    public String contentAsString() {
        return new String(content, StandardCharsets.UTF_8);
    }

    /**
     * The client's header fields, in order.
     *
     * @return each field's name and value as sent (a folded value keeps its line breaks)
     */
    public List<HeaderField> headers() {
        return headers;
    }

    /**
     * The value of the first header field with this name.
     *
     * @param name a field name, compared ignoring case
     * @return the value, unfolded (line breaks of a folded field removed) and trimmed; empty if absent
     */
    public Optional<String> header(String name) {
        return headers.stream().filter(h -> h.is(name)).findFirst().map(h -> unfold(h.value()));
    }

    /**
     * The Subject, unfolded, with RFC 2047 encoded words ({@code =?UTF-8?B?...?=}, {@code ?Q?}) decoded.
     *
     * @return the subject; null if the message has no Subject field
     */
    public String subject() {
        return header("Subject").map(ReceivedMail::decodeEncodedWords).orElse(null);
    }

    /**
     * The content parsed by Jakarta Mail, for assertions on MIME structure, attachments and encodings.
     * Needs Angus Mail ({@code org.eclipse.angus:angus-mail}) on the test class path.
     *
     * @return a new message parsed from {@link #content()}
     * @throws IllegalStateException if Jakarta Mail is not on the class path, or cannot parse the content
     */
    public jakarta.mail.internet.MimeMessage mimeMessage() {
        try {
            return Mime.parse(content);
        } catch (NoClassDefFoundError e) {
            throw new IllegalStateException("mimeMessage() needs Angus Mail on the test class path "
                    + "(org.eclipse.angus:angus-mail)", e);
        }
    }

    @Override
    public String toString() {
        return "ReceivedMail[" + id + " from <" + sender() + "> to " + recipients() + ", " + content.length + " octets]";
    }

    /** Names Jakarta Mail's classes only here, so that ReceivedMail itself loads without them. */
    private static final class Mime {
        static jakarta.mail.internet.MimeMessage parse(byte[] content) {
            try {
                return new jakarta.mail.internet.MimeMessage(jakarta.mail.Session.getInstance(new Properties()),
                        new ByteArrayInputStream(content));
            } catch (jakarta.mail.MessagingException e) {
                throw new IllegalStateException("Jakarta Mail cannot parse the message: " + e.getMessage(), e);
            }
        }
    }

    static String unfold(String value) {
        return value.replaceAll("\r?\n(?=[ \t])", "").trim();
    }

    private static final Pattern ENCODED_WORD = Pattern.compile("=\\?([^?]+)\\?([BbQq])\\?([^?]*)\\?=");
    private static final Pattern BETWEEN_WORDS = Pattern.compile("(\\?=)[ \t]+(=\\?)");

    /**
     * RFC 2047 decoding of a header value. Jakarta Mail's MimeUtility does this, but it is an optional
     * dependency here and subject() must work without it; the grammar is small (section 2: charset,
     * B or Q, text; 6.2: white space between adjacent encoded words is dropped). A word that cannot be
     * decoded (unknown charset, bad base64) stays as it was.
     */
    static String decodeEncodedWords(String value) {
        String joined = BETWEEN_WORDS.matcher(value).replaceAll("$1$2");
        Matcher m = ENCODED_WORD.matcher(joined);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String decoded;
            try {
                Charset charset = Charset.forName(m.group(1).replaceFirst("\\*.*$", "")); // RFC 2231 language tag
                byte[] bytes = m.group(2).equalsIgnoreCase("B") ? Base64.getDecoder().decode(m.group(3)) : qDecode(m.group(3));
                decoded = new String(bytes, charset);
            } catch (IllegalArgumentException e) { // unsupported charset, bad base64 or hex digit
                decoded = m.group();
            }
            m.appendReplacement(out, Matcher.quoteReplacement(decoded));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static byte[] qDecode(String text) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '_') {
                out.write(' ');
            } else if (c == '=' && i + 2 < text.length()) {
                out.write(Integer.parseInt(text, i + 1, i + 3, 16));
                i += 2;
            } else if (c == '=') {
                throw new IllegalArgumentException("truncated =XX in a Q-encoded word");
            } else {
                out.write(c);
            }
        }
        return out.toByteArray();
    }
}
