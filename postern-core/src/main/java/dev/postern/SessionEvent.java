package dev.postern;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One log event of a session with its facts as fields, for structured logs (JSON lines, log shippers):
 * a stable {@link #name()} such as {@code connect} or {@code message_accepted}, the one-line text that
 * {@link SmtpHandler#onLogEvent} has always received, and the event's own {@link #fields()} such as
 * {@code message_id}, {@code octets} or {@code reply}. What the session tells about itself (its id, the
 * client, the proxy, TLS, the authenticated user) is not repeated here: it is in the
 * {@link SmtpSession} passed beside the event.
 *
 * <p>The names used by the library: {@code connect}, {@code disconnect}, {@code tls}, {@code auth},
 * {@code auth_failed}, {@code xclient}, {@code message_accepted}, {@code hook_rejected},
 * {@code hook_failed}, {@code spool_failed}, {@code too_many_errors}, {@code timeout},
 * {@code connection_refused}, {@code proxy_header_refused}, {@code tls_failed},
 * {@code connection_error}, {@code session_failed}, {@code early_talker}, {@code server}. An
 * application may use its own.
 *
 * @param level   the severity
 * @param name    the kind of event: lower case, words joined by {@code _}
 * @param message one line, without the session id, as {@link SmtpHandler#onLogEvent} receives it
 * @param error   the exception behind the event, or null
 * @param fields  the event's own facts, in order; values are strings, numbers or booleans
 */
public record SessionEvent(LogLevel level, String name, String message, Throwable error, Map<String, Object> fields) {

    /**
     * Checks the event and takes an unmodifiable copy of its fields, in their order.
     *
     * @throws NullPointerException if the level, the name, the message or a field is null
     */
    public SessionEvent {
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(message, "message");
        Map<String, Object> copy = new LinkedHashMap<>();
        for (Map.Entry<String, Object> field : fields.entrySet()) { // a loop: no lambda to link in a cold start
            String key = Objects.requireNonNull(field.getKey(), "field name");
            copy.put(key, Objects.requireNonNull(field.getValue(), key));
        }
        fields = Collections.unmodifiableMap(copy);
    }

    /**
     * An event without fields or error.
     *
     * @param level   the severity
     * @param name    the kind of event
     * @param message one line, without the session id
     * @return the event
     */
    public static SessionEvent of(LogLevel level, String name, String message) {
        return new SessionEvent(level, name, message, null, Map.of());
    }

    /**
     * This event with one more field (or a field replaced).
     *
     * @param field the field's name: lower case, words joined by {@code _}
     * @param value its value: a string, a number or a boolean
     * @return a new event
     */
    public SessionEvent with(String field, Object value) {
        Map<String, Object> more = new LinkedHashMap<>(fields);
        more.put(field, value);
        return new SessionEvent(level, name, message, error, more);
    }

    /**
     * This event with the exception behind it.
     *
     * @param cause the exception, logged with its stack trace
     * @return a new event
     */
    public SessionEvent withError(Throwable cause) {
        return new SessionEvent(level, name, message, cause, fields);
    }
}
