package dev.postern.relay.client.protocol;

import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The service extensions a server announced in its EHLO (or LHLO) reply (RFC 5321 4.1.1.1): each line after
 * the first is a keyword and its parameters. A HELO session has none.
 *
 * @param extensions keyword (upper case) to its parameters (possibly empty)
 */
public record Capabilities(Map<String, String> extensions) {

    /** A server greeted with HELO: no extensions. */
    public static final Capabilities NONE = new Capabilities(Map.of());

    /** Copies. */
    public Capabilities {
        extensions = Map.copyOf(extensions);
    }

    /**
     * Reads an EHLO reply.
     *
     * @param ehlo the 250 reply
     * @return its extensions
     */
    public static Capabilities of(Reply ehlo) {
        Map<String, String> map = new TreeMap<>();
        for (String line : ehlo.lines().subList(1, ehlo.lines().size())) {
            String l = line.strip();
            if (l.isEmpty()) {
                continue; // smtp-sink ends its EHLO reply with an empty "250 " line
            }
            // Some servers still announce the pre-RFC 4954 form "AUTH=LOGIN PLAIN".
            int split = l.indexOf(' ');
            if (l.regionMatches(true, 0, "AUTH=", 0, 5)) {
                split = 4;
            }
            String keyword = (split < 0 ? l : l.substring(0, split)).toUpperCase(Locale.ROOT);
            String params = split < 0 ? "" : l.substring(split + 1).strip();
            map.merge(keyword, params, (a, b) -> (a + " " + b).strip());
        }
        return new Capabilities(map);
    }

    /** @return whether the keyword was announced */
    public boolean has(String keyword) {
        return extensions.containsKey(keyword);
    }

    /** @return RFC 2920 */
    public boolean pipelining() {
        return has("PIPELINING");
    }

    /** @return RFC 3207 */
    public boolean startTls() {
        return has("STARTTLS");
    }

    /** @return RFC 3030 */
    public boolean chunking() {
        return has("CHUNKING");
    }

    /** @return RFC 6152 */
    public boolean eightBitMime() {
        return has("8BITMIME");
    }

    /** @return RFC 6531 */
    public boolean smtpUtf8() {
        return has("SMTPUTF8");
    }

    /** @return RFC 3461 */
    public boolean dsn() {
        return has("DSN");
    }

    /** @return RFC 1870 */
    public boolean size() {
        return has("SIZE");
    }

    /**
     * RFC 1870 4: {@code SIZE n} declares the largest message the server takes; {@code SIZE} alone or
     * {@code SIZE 0} declares no fixed maximum.
     *
     * @return the maximum, when the server declared one
     */
    public OptionalLong maxSize() {
        String p = extensions.get("SIZE");
        if (p == null || p.isEmpty() || p.length() > 18 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return OptionalLong.empty();
        }
        long n = Long.parseLong(p);
        return n > 0 ? OptionalLong.of(n) : OptionalLong.empty();
    }

    /** @return the SASL mechanisms of RFC 4954's AUTH keyword, upper case */
    public Set<String> authMechanisms() {
        Set<String> set = new TreeSet<>();
        String p = extensions.get("AUTH");
        if (p != null) {
            for (String m : p.split("[ =]+")) {
                if (!m.isEmpty()) {
                    set.add(m.toUpperCase(Locale.ROOT));
                }
            }
        }
        return set;
    }
}
