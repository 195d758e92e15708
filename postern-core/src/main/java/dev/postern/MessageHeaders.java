package dev.postern;

import java.util.List;
import java.util.Optional;

/**
 * The header block of the message being received, for {@link SmtpHandler#onDataHeaders}: the fields
 * as the client sent them, plus the ability to add fields. Fields given to {@link #prepend} are put
 * before the client's header block (trace fields such as Received, RFC 5321 4.4); fields given to
 * {@link #append} are put at its end.
 */
public interface MessageHeaders {

    /**
     * The client's header fields, in order. Fields added through this object are not included.
     *
     * @return the client's fields; empty in {@code onDataStart}, before the header block has arrived
     */
    List<HeaderField> fields();

    /**
     * The value of the first client field with this name.
     *
     * @param name the field name, matched ignoring case
     * @return the value, or empty when the client sent no such field
     */
    default Optional<String> first(String name) {
        return fields().stream().filter(f -> f.is(name)).map(HeaderField::value).findFirst();
    }

    /**
     * The values of every client field with this name, e.g. all {@code Received} fields.
     *
     * @param name the field name, matched ignoring case
     * @return the values in order; empty when the client sent no such field
     */
    default List<String> all(String name) {
        return fields().stream().filter(f -> f.is(name)).map(HeaderField::value).toList();
    }

    /**
     * Adds a field before the client's header block; later calls go below earlier ones.
     *
     * @param name  the field name: printable US-ASCII without a colon (RFC 5322 2.2)
     * @param value the field value, UTF-8 encoded; may be folded (CRLF followed by a space or tab)
     *              but must hold no other CR or LF and no NUL
     * @throws IllegalArgumentException if the name is empty or has a bad character, or the value
     *                                  has a CR or LF outside folding, or a NUL
     */
    void prepend(String name, String value);

    /**
     * Adds a field at the end of the client's header block; later calls go below earlier ones.
     *
     * @param name  the field name: printable US-ASCII without a colon (RFC 5322 2.2)
     * @param value the field value, UTF-8 encoded; may be folded (CRLF followed by a space or tab)
     *              but must hold no other CR or LF and no NUL
     * @throws IllegalArgumentException if the name is empty or has a bad character, or the value
     *                                  has a CR or LF outside folding, or a NUL
     */
    void append(String name, String value);
}
