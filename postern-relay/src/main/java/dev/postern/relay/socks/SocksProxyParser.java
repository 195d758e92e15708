package dev.postern.relay.socks;

import dev.postern.relay.client.SocksProxy;
import io.netty.util.NetUtil;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads an Exim {@code socks_proxy} value (the Exim specification, chapter "Proxies", section "Outbound
 * proxies"; {@code smtp_socks.c}): a colon-separated list of proxies, each a space-separated list of an IP
 * address and {@code name=value} options. Exim silently ignores options it does not know and reads numbers
 * with {@code atoi}; this parser rejects both, naming the entry, so a typo does not go unnoticed.
 */
public final class SocksProxyParser {

    /** Exim reads at most this many proxies ({@code socks_opts proxies[32]}); more is an error here. */
    static final int MAX_PROXIES = 32;

    private SocksProxyParser() {
    }

    /**
     * Parses the list.
     *
     * @param list the option's value
     * @return the proxies, in list order
     * @throws IllegalArgumentException naming the entry and what is wrong
     */
    public static List<SocksProxy> parse(String list) {
        List<String> entries = EximList.split(list, ':');
        // A list that holds a password quotes none of its text in errors: a separator it chose, or one inside a
        // password, may cut a pass= value anywhere, and no redaction can know where (SocksProxyParserFuzzTest).
        boolean quiet = list.contains("pass=");
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("socks_proxy: the list is empty");
        }
        if (entries.size() > MAX_PROXIES) {
            throw new IllegalArgumentException("socks_proxy: at most " + MAX_PROXIES + " proxies, as in Exim; got " + entries.size());
        }
        List<SocksProxy> proxies = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            proxies.add(entry(entries.get(i), i + 1, quiet));
        }
        if (proxies.stream().allMatch(p -> p.weight() == 0)) {
            throw new IllegalArgumentException("socks_proxy: every proxy has weight=0, so none would ever be chosen");
        }
        return List.copyOf(proxies);
    }

    private static SocksProxy entry(String entry, int number, boolean quiet) {
        String where = "socks_proxy entry " + number + (quiet ? "" : " ('" + redact(entry) + "')");
        List<String> parts = EximList.splitFixed(entry, ' ');
        if (parts.isEmpty() || parts.get(0).isEmpty()) {
            throw new IllegalArgumentException(where + ": empty entry; expected an IP address and options");
        }
        String address = parts.get(0);
        if (!NetUtil.isValidIpV4Address(address) && !NetUtil.isValidIpV6Address(address)) {
            // redacted: a password glued to the address ("10.0.0.1pass=...") must not reach the error (SocksProxyParserFuzzTest)
            throw new IllegalArgumentException(where + ": " + shown(address, quiet) + " is not an IP address (Exim takes addresses, "
                    + "not host names; an IPv6 address needs '<;' at the start of the list, as in '<; ::1 port=1080 ; 192.0.2.1')");
        }
        SocksProxy.Auth auth = SocksProxy.Auth.NONE;
        String name = "";
        String pass = "";
        int port = SocksProxy.DEFAULT_PORT;
        Duration tmo = SocksProxy.DEFAULT_TIMEOUT;
        int pri = SocksProxy.DEFAULT_PRIORITY;
        int weight = SocksProxy.DEFAULT_WEIGHT;
        for (String option : parts.subList(1, parts.size())) {
            int eq = option.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(where + ": option " + shown(option, quiet) + " is not name=value");
            }
            String key = option.substring(0, eq);
            String value = option.substring(eq + 1);
            switch (key) {
                case "auth" -> auth = switch (value) {
                    case "none" -> SocksProxy.Auth.NONE;
                    case "name" -> SocksProxy.Auth.NAME;
                    default -> throw new IllegalArgumentException(where + ": auth must be 'none' or 'name', not " + shown(value, quiet));
                };
                case "name" -> name = value;
                case "pass" -> pass = value;
                case "port" -> port = number(where, key, value, 1, 65535, quiet);
                case "tmo" -> tmo = Duration.ofSeconds(number(where, key, value, 1, 86_400, quiet));
                case "pri" -> pri = number(where, key, value, 0, Integer.MAX_VALUE, quiet);
                case "weight" -> weight = number(where, key, value, 0, Integer.MAX_VALUE, quiet);
                default -> throw new IllegalArgumentException(where + ": unknown option " + shown(key.toLowerCase(Locale.ROOT), quiet)
                        + "; the options are auth, name, pass, port, tmo, pri, weight");
            }
        }
        try {
            return new SocksProxy(address, port, auth, name, pass, tmo, pri, weight);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + redact(quiet ? e.getMessage().replace(address, "(address not shown: the list holds a password)") : e.getMessage()), e); // the address may hold "pass=..." (a zone id)
        }
    }

    private static int number(String where, String key, String value, int min, int max, boolean quiet) {
        if (value.isEmpty() || value.length() > 10 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException(where + ": " + key + " must be a whole number, not " + shown(value, quiet));
        }
        long n = Long.parseLong(value);
        if (n < min || n > max) {
            throw new IllegalArgumentException(where + ": " + key + " must be from " + min + " to " + max + ", not " + value);
        }
        return (int) n;
    }

    /** A piece of the list as an error quotes it: not at all in a list with a password, else redacted. */
    private static String shown(String text, boolean quiet) {
        return quiet ? "(not shown: the list holds a password)" : "'" + redact(text) + "'";
    }

    /** An entry as an error message may show it: without its password. */
    private static String redact(String text) {
        return text.replaceAll("pass=\\S*", "pass=***");
    }
}
