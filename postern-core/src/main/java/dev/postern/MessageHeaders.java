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

    /** The client's header fields, in order. Empty in {@code onDataStart}. */
    List<HeaderField> fields();

    default Optional<String> first(String name) {
        return fields().stream().filter(f -> f.is(name)).map(HeaderField::value).findFirst();
    }

    default List<String> all(String name) {
        return fields().stream().filter(f -> f.is(name)).map(HeaderField::value).toList();
    }

    /** Adds a field before the client's header block; later calls go below earlier ones. */
    void prepend(String name, String value);

    /** Adds a field at the end of the client's header block. */
    void append(String name, String value);
}
