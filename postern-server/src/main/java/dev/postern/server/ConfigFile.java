package dev.postern.server;

import dev.postern.Listener;
import dev.postern.proxy.ProxyProtocolMode;
import dev.postern.proxy.TrustedSources;
import dev.postern.relay.client.SocksProxy;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A YAML config file for {@code postern serve}. Its keys are the long flag names without the dashes
 * ({@code max-message-size: 25M}), so the flags and the file cannot drift apart: the file is turned
 * into command-line arguments and parsed by the same picocli options, with the same converters.
 *
 * <p>One key is richer than its flag: each {@code listen} entry is either {@code "HOST:PORT"} or a
 * mapping that also sets that listener's PROXY protocol and implicit TLS ({@link ListenEntry}), which
 * takes the place of {@code --tls-listen}; and {@code socks-proxy} may be a list of mappings
 * ({@link SocksProxyEntries}) besides Exim's string. The other TLS flags are the keys of a {@code tls:} mapping,
 * named without {@code --tls-} ({@code tls: {cert: FILE, starttls: required}}). See
 * {@code postern.example.yml}.
 */
final class ConfigFile {

    static final String LISTEN = "listen";
    /** Each plugin's own section: {@code plugins: {NAME: {...}}}. */
    static final String PLUGINS = "plugins";

    /**
     * One {@code listen} entry of the file.
     *
     * @param address        the address, implicit TLS when the entry says {@code tls: implicit}, LMTP when it
     *                       says {@code protocol: lmtp}
     * @param proxyProtocol  this listener's own mode, or null to use the top-level {@code proxy-protocol}
     * @param trustedProxies this listener's own trusted proxies, or null to use the top-level {@code trusted-proxies}
     */
    record ListenEntry(Listener address, ProxyProtocolMode proxyProtocol, TrustedSources trustedProxies) {
    }

    private static final String ADDRESS = "address";
    private static final String PROXY_PROTOCOL = "proxy-protocol";
    private static final String TRUSTED_PROXIES = "trusted-proxies";
    private static final String TLS = "tls";
    private static final String IMPLICIT = "implicit";
    private static final String NAME = "name";
    private static final String PROTOCOL = "protocol";
    private static final List<String> LISTEN_ENTRY_KEYS = List.of(ADDRESS, NAME, PROXY_PROTOCOL, TRUSTED_PROXIES, TLS, PROTOCOL);

    /** The TLS flags are --tls-NAME, and --starttls; in the file, NAME and starttls under {@code tls:}. */
    private static final String TLS_FLAG_PREFIX = "tls-";
    private static final String STARTTLS = "starttls";
    /** Its file form is a listen entry's {@code tls: implicit}. */
    private static final String TLS_LISTEN = "tls-listen";
    /** Not a top-level key: LMTP listeners are listen entries with {@code protocol: lmtp}. */
    private static final String LMTP_LISTEN = "lmtp-listen";

    private final Path path;
    private final Map<String, Object> values;

    private ConfigFile(Path path, Map<String, Object> values) {
        this.path = path;
        this.values = values;
    }

    static ConfigFile read(Path path) throws ConfigException {
        Object document;
        try (Reader reader = Files.newBufferedReader(path)) {
            LoaderOptions options = new LoaderOptions();
            // A key given twice is a mistake in one of the two places; SnakeYAML would keep the last silently.
            options.setAllowDuplicateKeys(false);
            document = new Yaml(new SafeConstructor(options), new Representer(new DumperOptions()),
                    new DumperOptions(), options, new PlainScalars()).load(reader);
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark();
            throw new ConfigException(path + (mark == null ? "" : " line " + (mark.getLine() + 1) + ", column "
                    + (mark.getColumn() + 1)) + ": " + e.getProblem().replaceAll("\\s*\\R\\s*", " ")); // one line (ConfigFileFuzzTest)
        } catch (YAMLException e) {
            throw new ConfigException(path + ": " + firstLine(e.getMessage()));
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + e.getMessage() + " (" + e.getClass().getSimpleName() + ")");
        }
        if (document == null) {
            return new ConfigFile(path, Map.of());
        }
        if (!(document instanceof Map<?, ?> map)) {
            throw new ConfigException(path + ": expected a mapping of settings such as 'maildir: ./mail'");
        }
        Map<String, Object> values = new LinkedHashMap<>();
        map.forEach((k, v) -> values.put(String.valueOf(k), v));
        return new ConfigFile(path, values);
    }

    Path path() {
        return path;
    }

    /** The file's {@code listen} entries, in order, or null when it has no {@code listen} key. */
    List<ListenEntry> listenEntries() throws ConfigException {
        Object value = values.get(LISTEN);
        if (value == null) {
            if (values.containsKey(LISTEN)) {
                throw new ConfigException(path + ": '" + LISTEN + "' has no value");
            }
            return null;
        }
        List<?> items = value instanceof List<?> list ? list : List.of(value);
        List<ListenEntry> entries = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            entries.add(listenEntry(items.get(i), i + 1));
        }
        return entries;
    }

    /**
     * The file's {@code socks-proxy} list ({@link SocksProxyEntries}), or null when it has none or gives
     * the key as one string in Exim's syntax, which goes through the flag's own converter.
     */
    List<SocksProxy> socksProxies() throws ConfigException {
        return values.get(SocksProxyEntries.KEY) instanceof List<?> list ? SocksProxyEntries.read(list, path) : null;
    }

    /**
     * The file's {@code plugins} sections by plugin name, each as YAML gives it (keys as strings, every
     * scalar a string); empty when there are none. A section with no value is an empty one.
     */
    Map<String, Map<String, Object>> pluginSections() throws ConfigException {
        Object value = values.get(PLUGINS);
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new ConfigException(path + ": '" + PLUGINS + "' must be a mapping of plugin names to their settings, "
                    + "such as 'plugins: {allowlist: {recipients: [...]}}'");
        }
        Map<String, Map<String, Object>> sections = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String name = String.valueOf(e.getKey());
            if (e.getValue() == null) {
                sections.put(name, Map.of());
            } else if (e.getValue() instanceof Map<?, ?> section) {
                sections.put(name, stringKeys(section));
            } else {
                throw new ConfigException(path + ": '" + PLUGINS + "." + name + "' must be a mapping of the plugin's settings");
            }
        }
        return sections;
    }

    /** A YAML mapping with its keys, and those of the mappings inside, as strings. */
    private static Map<String, Object> stringKeys(Map<?, ?> map) {
        Map<String, Object> copy = new LinkedHashMap<>();
        map.forEach((k, v) -> copy.put(String.valueOf(k), plainTree(v)));
        return copy;
    }

    private static Object plainTree(Object value) {
        if (value instanceof Map<?, ?> map) {
            return stringKeys(map);
        }
        if (value instanceof List<?> list) {
            return list.stream().map(ConfigFile::plainTree).toList();
        }
        return value;
    }

    private ListenEntry listenEntry(Object item, int number) throws ConfigException {
        String where = path + ": listen entry " + number + ": ";
        if (item instanceof Map<?, ?> map) {
            for (Object key : map.keySet()) {
                if (!LISTEN_ENTRY_KEYS.contains(String.valueOf(key))) {
                    throw new ConfigException(where + "unknown key '" + key + "' (known keys: "
                            + String.join(", ", LISTEN_ENTRY_KEYS) + ")");
                }
            }
            Object address = map.get(ADDRESS);
            if (address == null || address instanceof Map || address instanceof List) {
                throw new ConfigException(where + "'" + ADDRESS + "' must be given as \"HOST:PORT\"");
            }
            try {
                Listener listener = Listener.parse(String.valueOf(address));
                ProxyProtocolMode mode = map.containsKey(PROXY_PROTOCOL)
                        ? ProxyProtocolMode.parse(plain(map.get(PROXY_PROTOCOL), where + "'" + PROXY_PROTOCOL + "'"))
                        : null;
                TrustedSources trusted = map.containsKey(TRUSTED_PROXIES)
                        ? TrustedSources.parse(commaList(map.get(TRUSTED_PROXIES), where + "'" + TRUSTED_PROXIES + "'"))
                        : null;
                if (map.containsKey(TLS)) {
                    if (!plain(map.get(TLS), where + "'" + TLS + "'").strip().equalsIgnoreCase(IMPLICIT)) {
                        throw new ConfigException(where + "'" + TLS + "' must be " + IMPLICIT + " (TLS from the first "
                                + "byte, RFC 8314); leave it out for a plain listener, which offers STARTTLS");
                    }
                    listener = listener.withImplicitTls();
                }
                if (map.containsKey(PROTOCOL)) {
                    String protocol = plain(map.get(PROTOCOL), where + "'" + PROTOCOL + "'").strip().toLowerCase(java.util.Locale.ROOT);
                    if (!protocol.equals("smtp") && !protocol.equals("lmtp")) {
                        throw new ConfigException(where + "'" + PROTOCOL + "' must be smtp (the default) or lmtp (RFC 2033)");
                    }
                    listener = listener.withLmtp(protocol.equals("lmtp"));
                }
                if (map.containsKey(NAME)) {
                    // In the listener's log lines, metric labels and SmtpSession.listener() (Halon's serverid).
                    listener = listener.withName(plain(map.get(NAME), where + "'" + NAME + "'").strip());
                }
                return new ListenEntry(listener, mode, trusted);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(where + e.getMessage());
            }
        }
        if (item == null || item instanceof List) {
            throw new ConfigException(where + "must be \"HOST:PORT\" or a mapping with 'address' (and optionally "
                    + "'name', 'proxy-protocol', 'trusted-proxies', 'tls', 'protocol')");
        }
        try {
            return new ListenEntry(Listener.parse(String.valueOf(item)), null, null);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where + e.getMessage());
        }
    }

    private static String plain(Object value, String what) throws ConfigException {
        if (value == null || value instanceof Map || value instanceof List) {
            throw new ConfigException(what + " must be a plain value");
        }
        return String.valueOf(value);
    }

    /** A YAML list of addresses, or one comma-separated string, as one comma-separated string. */
    private static String commaList(Object value, String what) throws ConfigException {
        if (value instanceof List<?> list) {
            List<String> items = new ArrayList<>();
            for (Object item : list) {
                items.add(plain(item, what + " entries"));
            }
            return String.join(",", items);
        }
        return plain(value, what);
    }

    /**
     * The settings but {@code listen} (see {@link #listenEntries()}) as arguments for {@code spec}'s options.
     *
     * @param settable    the options a config file may set at its top level, keyed by long name without dashes
     * @param tlsSettable the options of the {@code tls:} mapping, keyed by their names there
     */
    List<String> toArguments(Map<String, OptionSpec> settable, Map<String, OptionSpec> tlsSettable) throws ConfigException {
        List<String> args = new ArrayList<>();
        for (Map.Entry<String, Object> e : values.entrySet()) {
            String key = e.getKey();
            if (key.equals(LISTEN) || key.equals(PLUGINS) || (key.equals(SocksProxyEntries.KEY) && e.getValue() instanceof List)) {
                continue;
            }
            if (key.equals(TLS)) {
                addTlsArguments(args, e.getValue(), tlsSettable);
                continue;
            }
            OptionSpec option = settable.get(key);
            if (option == null) {
                // "Keys are the flag names" would lead to tls-cert: at the top level.
                String hint = key.startsWith(TLS_FLAG_PREFIX) || key.equals(STARTTLS)
                        ? "; TLS settings go in the '" + TLS + "' mapping, and implicit-TLS listeners are listen entries "
                                + "with '" + TLS + ": " + IMPLICIT + "'"
                        : key.equals(LMTP_LISTEN) ? "; LMTP listeners are listen entries with '" + PROTOCOL + ": lmtp'" : "";
                throw new ConfigException(path + ": unknown key '" + key + "' (known keys: "
                        + String.join(", ", settable.keySet()) + ", " + TLS + ", " + PLUGINS + ")" + hint);
            }
            addArguments(args, key, option, e.getValue());
        }
        return args;
    }

    private void addTlsArguments(List<String> args, Object value, Map<String, OptionSpec> tlsSettable) throws ConfigException {
        if (value == null) {
            throw new ConfigException(path + ": '" + TLS + "' has no value");
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new ConfigException(path + ": '" + TLS + "' must be a mapping of TLS settings such as 'cert: FILE'");
        }
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = String.valueOf(e.getKey());
            OptionSpec option = tlsSettable.get(key);
            if (option == null) {
                throw new ConfigException(path + ": unknown key '" + TLS + "." + key + "' (known keys of '" + TLS + "': "
                        + String.join(", ", tlsSettable.keySet()) + ")");
            }
            addArguments(args, TLS + "." + key, option, e.getValue());
        }
    }

    private void addArguments(List<String> args, String key, OptionSpec option, Object value) throws ConfigException {
        if (value == null) {
            throw new ConfigException(path + ": '" + key + "' has no value");
        }
        if (value instanceof Map) {
            throw new ConfigException(path + ": '" + key + "' must be a value, not a mapping");
        }
        if (option.arity().max() == 0) {
            String text = String.valueOf(value);
            if (!text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
                throw new ConfigException(path + ": '" + key + "' must be true or false");
            }
            // Every switch is off by default, so "false" needs no argument.
            if (text.equalsIgnoreCase("true")) {
                args.add(option.longestName());
            }
            return;
        }
        if (value instanceof List<?> list) {
            if (!option.isMultiValue()) {
                throw new ConfigException(path + ": '" + key + "' takes one value, not a list");
            }
            for (Object item : list) {
                if (item == null || item instanceof Map || item instanceof List) {
                    throw new ConfigException(path + ": '" + key + "' must be a list of plain values");
                }
                args.add(option.longestName());
                args.add(String.valueOf(item));
            }
            return;
        }
        args.add(option.longestName());
        args.add(String.valueOf(value));
    }

    /**
     * The options of {@code spec} a config file may set at its top level: all long options but help, the
     * config file itself and the TLS ones ({@link #tlsOptions}).
     */
    static Map<String, OptionSpec> settableOptions(CommandSpec spec, String configOption) {
        return spec.options().stream()
                .filter(o -> !o.usageHelp() && !o.versionHelp() && !o.longestName().equals(configOption) && !isTls(o)
                        && !o.longestName().substring(2).equals(LMTP_LISTEN))
                .collect(Collectors.toMap(o -> o.longestName().substring(2), o -> o, (a, b) -> a, LinkedHashMap::new));
    }

    /**
     * The options the {@code tls:} mapping may set, keyed by their names there: {@code --tls-cert} is
     * {@code cert}, {@code --starttls} is {@code starttls}. Not {@code --tls-listen}: a listen entry says
     * {@code tls: implicit} instead.
     */
    static Map<String, OptionSpec> tlsOptions(CommandSpec spec) {
        return spec.options().stream()
                .filter(o -> isTls(o) && !o.longestName().substring(2).equals(TLS_LISTEN))
                .collect(Collectors.toMap(o -> {
                    String name = o.longestName().substring(2);
                    return name.equals(STARTTLS) ? name : name.substring(TLS_FLAG_PREFIX.length());
                }, o -> o, (a, b) -> a, LinkedHashMap::new));
    }

    private static boolean isTls(OptionSpec option) {
        String name = option.longestName().substring(2);
        return name.startsWith(TLS_FLAG_PREFIX) || name.equals(STARTTLS);
    }

    /**
     * Reads every scalar as a string (only an empty value or {@code ~} is null), since each one goes
     * through the flag's own converter anyway. YAML 1.1 would otherwise turn {@code off} into false
     * ({@code proxy-protocol: off}) and {@code 25:25} into a number.
     */
    private static final class PlainScalars extends Resolver {
        @Override
        protected void addImplicitResolvers() {
            addImplicitResolver(Tag.NULL, NULL, "~nN\0");
            addImplicitResolver(Tag.NULL, EMPTY, null);
        }
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "not valid YAML";
        }
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }
}
