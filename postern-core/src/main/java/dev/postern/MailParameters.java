package dev.postern;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * ESMTP parameters of a MAIL or RCPT command (RFC 5321 4.1.2 {@code esmtp-param}), keywords
 * upper-cased, in the order received. A parameter without a value maps to the empty string.
 *
 * @param values keyword to value, in order (an unmodifiable copy); {@link #get} and {@link #has}
 *               find only upper-case keywords, as the server stores them
 */
public record MailParameters(Map<String, String> values) {

    /** No parameters. */
    public static final MailParameters NONE = new MailParameters(Map.of());

    /**
     * Copies {@code values}, keeping their order.
     *
     * @throws NullPointerException if {@code values} is null
     */
    public MailParameters {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /**
     * The value of a parameter.
     *
     * @param keyword the keyword, any case, e.g. {@code "size"}
     * @return the value (the empty string for a parameter without one), or empty when the parameter is absent
     */
    public Optional<String> get(String keyword) {
        return Optional.ofNullable(values.get(keyword.toUpperCase(Locale.ROOT)));
    }

    /**
     * Whether a parameter is present, with or without a value.
     *
     * @param keyword the keyword, any case, e.g. {@code "SMTPUTF8"}
     * @return true if the command carried it
     */
    public boolean has(String keyword) {
        return values.containsKey(keyword.toUpperCase(Locale.ROOT));
    }

    /**
     * Whether the command carried no parameter at all.
     *
     * @return true if there are no parameters
     */
    public boolean isEmpty() {
        return values.isEmpty();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        values.forEach((k, v) -> {
            if (!sb.isEmpty()) {
                sb.append(' ');
            }
            sb.append(k);
            if (!v.isEmpty()) {
                sb.append('=').append(v);
            }
        });
        return sb.toString();
    }
}
