package dev.postern.message;

import dev.postern.HeaderField;
import dev.postern.MessageHeaders;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The fields hooks add to a message: those to put before the client's header block and those to put
 * at its end. Values may be folded (CRLF followed by white space) but may hold no other CR or LF, so
 * a hook cannot break the message structure.
 */
public final class HeaderEdits implements MessageHeaders {

    private final ByteArrayOutputStream prepended = new ByteArrayOutputStream();
    private final ByteArrayOutputStream appended = new ByteArrayOutputStream();
    private List<HeaderField> fields = List.of();

    /** Sets the client's fields once the header block is known. */
    public void fields(List<HeaderField> fields) {
        this.fields = List.copyOf(fields);
    }

    @Override
    public List<HeaderField> fields() {
        return fields;
    }

    @Override
    public void prepend(String name, String value) {
        prepended.writeBytes(encode(name, value));
    }

    @Override
    public void append(String name, String value) {
        appended.writeBytes(encode(name, value));
    }

    public byte[] prependedBytes() {
        return prepended.toByteArray();
    }

    public byte[] appendedBytes() {
        return appended.toByteArray();
    }

    static byte[] encode(String name, String value) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("header field name must not be empty");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 33 || c > 126 || c == ':') {
                throw new IllegalArgumentException("bad character in header field name: " + name);
            }
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r') {
                boolean folded = i + 2 < value.length() && value.charAt(i + 1) == '\n'
                        && (value.charAt(i + 2) == ' ' || value.charAt(i + 2) == '\t');
                if (!folded) {
                    throw new IllegalArgumentException("header field value may contain CRLF only before white space (folding)");
                }
                i++;
            } else if (c == '\n' || c == 0) {
                throw new IllegalArgumentException("bare LF or NUL in header field value");
            }
        }
        return (name + ": " + value + "\r\n").getBytes(StandardCharsets.UTF_8);
    }
}
