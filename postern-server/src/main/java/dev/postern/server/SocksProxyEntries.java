package dev.postern.server;

import dev.postern.proxy.CidrRange;
import dev.postern.relay.client.SocksProxy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The config file's {@code socks-proxy} list: each entry a mapping with the options of an Exim
 * {@code socks_proxy} entry as keys ({@code address}, {@code port}, {@code auth}, {@code name},
 * {@code pass}, {@code tmo}, {@code pri}, {@code weight}), plus {@code pass-file}, whose first line is
 * the password; or a string in Exim's own syntax. {@code auth} defaults to {@code name} when a name is
 * given, {@code tmo} takes seconds as in Exim or a duration such as {@code 500ms}.
 */
final class SocksProxyEntries {

    static final String KEY = "socks-proxy";

    private static final List<String> KEYS = List.of("address", "port", "auth", "name", "pass", "pass-file", "tmo", "pri", "weight");

    private SocksProxyEntries() {
    }

    /**
     * @param items the YAML list
     * @param file  the config file, for error messages
     * @return the proxies, in list order
     * @throws ConfigException naming the file and the entry
     */
    static List<SocksProxy> read(List<?> items, Path file) throws ConfigException {
        List<SocksProxy> proxies = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String where = file + ": " + KEY + " entry " + (i + 1) + ": ";
            Object item = items.get(i);
            try {
                if (item instanceof Map<?, ?> map) {
                    proxies.add(entry(map, where));
                } else if (item != null && !(item instanceof List)) {
                    proxies.addAll(SocksProxy.parseList(String.valueOf(item)));
                } else {
                    throw new ConfigException(where + "must be a mapping with 'address' (and optionally "
                            + String.join(", ", KEYS.subList(1, KEYS.size())) + "), or an entry in Exim's syntax");
                }
            } catch (IllegalArgumentException e) {
                throw new ConfigException(where + e.getMessage());
            }
        }
        if (proxies.isEmpty()) {
            throw new ConfigException(file + ": '" + KEY + "' is an empty list; leave it out for direct connections");
        }
        if (proxies.stream().allMatch(p -> p.weight() == 0)) {
            throw new ConfigException(file + ": every " + KEY + " entry has weight 0, so none would ever be chosen");
        }
        return List.copyOf(proxies);
    }

    private static SocksProxy entry(Map<?, ?> map, String where) throws ConfigException {
        for (Object key : map.keySet()) {
            if (!KEYS.contains(String.valueOf(key))) {
                throw new ConfigException(where + "unknown key '" + key + "' (known keys: " + String.join(", ", KEYS) + ")");
            }
        }
        String address = text(map, "address", where);
        if (address == null) {
            throw new ConfigException(where + "'address' is required: the proxy's IP address");
        }
        if (address.startsWith("[") && address.endsWith("]")) {
            address = address.substring(1, address.length() - 1);
        }
        if (address.indexOf('/') >= 0) {
            throw new ConfigException(where + "'" + address + "' is not an IP address");
        }
        try {
            // Checked, but kept as written: it is the proxy's name in the PRX= log items.
            CidrRange.parse(address);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where + "'" + address + "' is not an IP address (proxies are given by address, "
                    + "as in Exim, never looked up)");
        }
        String name = text(map, "name", where);
        String pass = text(map, "pass", where);
        String passFile = text(map, "pass-file", where);
        if (pass != null && passFile != null) {
            throw new ConfigException(where + "'pass' and 'pass-file' exclude each other");
        }
        if (passFile != null) {
            pass = SecretFile.firstLine(Path.of(passFile), KEY + " pass-file", "the proxy's password");
        }
        String auth = text(map, "auth", where);
        SocksProxy.Auth method = switch (auth == null ? (name == null ? "none" : "name") : auth.toLowerCase(Locale.ROOT)) {
            case "none" -> SocksProxy.Auth.NONE;
            case "name" -> SocksProxy.Auth.NAME;
            default -> throw new ConfigException(where + "'auth' must be none or name, not '" + auth + "'");
        };
        return new SocksProxy(address, number(map, "port", where, SocksProxy.DEFAULT_PORT),
                method, name == null ? "" : name, pass == null ? "" : pass, timeout(map, where),
                number(map, "pri", where, SocksProxy.DEFAULT_PRIORITY), number(map, "weight", where, SocksProxy.DEFAULT_WEIGHT));
    }

    /** Exim's tmo is whole seconds; a duration with its unit is taken too. */
    private static Duration timeout(Map<?, ?> map, String where) throws ConfigException {
        String tmo = text(map, "tmo", where);
        if (tmo == null) {
            return SocksProxy.DEFAULT_TIMEOUT;
        }
        if (tmo.strip().matches("\\d{1,5}")) {
            return Duration.ofSeconds(Long.parseLong(tmo.strip()));
        }
        return DurationText.parse(tmo);
    }

    private static int number(Map<?, ?> map, String key, String where, int otherwise) throws ConfigException {
        String value = text(map, key, where);
        if (value == null) {
            return otherwise;
        }
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new ConfigException(where + "'" + key + "' must be a whole number, not '" + value + "'");
        }
    }

    /** The key's plain value, or null when it is not there. */
    private static String text(Map<?, ?> map, String key, String where) throws ConfigException {
        if (!map.containsKey(key)) {
            return null;
        }
        Object value = map.get(key);
        if (value == null || value instanceof Map || value instanceof List) {
            throw new ConfigException(where + "'" + key + "' must be a plain value");
        }
        return String.valueOf(value);
    }
}
