package dev.postern;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * ESMTP parameters of a MAIL or RCPT command (RFC 5321 4.1.2 {@code esmtp-param}), keywords
 * upper-cased, in the order received. A parameter without a value maps to the empty string.
 */
public record MailParameters(Map<String, String> values) {

    public static final MailParameters NONE = new MailParameters(Map.of());

    public MailParameters {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public Optional<String> get(String keyword) {
        return Optional.ofNullable(values.get(keyword.toUpperCase(Locale.ROOT)));
    }

    public boolean has(String keyword) {
        return values.containsKey(keyword.toUpperCase(Locale.ROOT));
    }

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
