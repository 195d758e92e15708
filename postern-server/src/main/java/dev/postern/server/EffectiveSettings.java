package dev.postern.server;

import dev.postern.Listener;
import dev.postern.SmtpServer;
import dev.postern.proxy.ProxyProtocolMode;
import dev.postern.proxy.TrustedSources;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine.ParameterException;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What {@code postern check-config} prints: the settings {@code postern serve} would run with, each
 * with where it comes from (flag, environment variable, config file or default), as a YAML config file
 * that {@code --config} reads back to the same settings. The listeners are printed as resolved, each
 * with its own PROXY and TLS settings. Passwords in a {@code --socks-proxy} string are not shown.
 */
final class EffectiveSettings {

    private static final String DEFAULT = "default";

    private static final Pattern SOCKS_PASSWORD = Pattern.compile("(pass=)[^\\s:;]+");

    private final CommandSpec spec;
    private final EnvironmentDefaults environment;
    private final Set<String> setAboveFile;
    private final Set<String> fromFile;
    private final Map<String, List<String>> fileValues;
    private final Map<String, Map<String, Object>> pluginSections;

    EffectiveSettings(CommandSpec spec, EnvironmentDefaults environment, Set<String> setAboveFile, Set<String> fromFile,
                      Map<String, List<String>> fileValues, Map<String, Map<String, Object>> pluginSections) {
        this.spec = spec;
        this.environment = environment;
        this.setAboveFile = setAboveFile;
        this.fromFile = fromFile;
        this.fileValues = fileValues;
        this.pluginSections = pluginSections;
    }

    /**
     * Checks what only building the server checks (the TLS key and certificates are read and must match),
     * prints the settings on stdout and the warnings on stderr.
     *
     * @return the exit status, 0
     * @throws ParameterException (exit 2) if the server could not be built with these settings
     */
    int print(ServeSettings settings) {
        try {
            SmtpServer.builder().config(settings.server()).build();
        } catch (RuntimeException e) {
            throw new ParameterException(spec.commandLine(), ServeCommand.invalidSettings(spec, null, e.getMessage()), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("# The settings 'postern serve' runs with; after each, where it comes from (flag, environment, config");
        out.println("# file or default; defaults are comments). A config file: --config reads it back to the same settings.");
        out.println("listen:");
        for (Listener listener : settings.server().listeners()) {
            String flag = listener.lmtp() ? "--lmtp-listen" : listener.implicitTls() ? "--tls-listen" : "--listen";
            boolean ownFlag = !flag.equals("--listen") && setAboveFile.contains(flag);
            out.println("  - address: " + quote(hostPort(listener)) + "  # "
                    + (ownFlag ? source(option(flag)) : fromFile.contains("--listen") && !setAboveFile.contains(flag)
                            ? "config file" : source(option("--listen"))));
            if (listener.proxyProtocol() != ProxyProtocolMode.OFF || !listener.trustedProxies().equals(TrustedSources.NONE)) {
                out.println("    proxy-protocol: " + listener.proxyProtocol().name().toLowerCase(Locale.ROOT));
                out.println("    trusted-proxies: " + quote(listener.trustedProxies().toString()));
            }
            if (listener.implicitTls()) {
                out.println("    tls: implicit");
            }
            if (listener.lmtp()) {
                out.println("    protocol: lmtp");
            }
        }
        Map<String, OptionSpec> tls = ConfigFile.tlsOptions(spec);
        for (Map.Entry<String, OptionSpec> e : ConfigFile.settableOptions(spec, ServeCommand.CONFIG_OPTION).entrySet()) {
            if (!e.getKey().equals(ConfigFile.LISTEN)) {
                print(out, "", e.getKey(), e.getValue(), settings);
            }
        }
        StringWriter tlsLines = new StringWriter();
        try (PrintWriter tlsOut = new PrintWriter(tlsLines)) {
            tls.forEach((key, option) -> print(tlsOut, "  ", key, option, settings));
        }
        // With every TLS setting a default (a comment), the mapping is empty: "tls:" alone would be no value.
        boolean anyTls = tlsLines.toString().lines().anyMatch(line -> !line.stripLeading().startsWith("#"));
        out.println(anyTls ? "tls:" : "tls: {}");
        out.print(tlsLines);
        if (!pluginSections.isEmpty()) {
            // The plugins' own sections, as the config file gave them (every scalar a string).
            DumperOptions block = new DumperOptions();
            block.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
            block.setDefaultScalarStyle(DumperOptions.ScalarStyle.DOUBLE_QUOTED);
            out.print("# config file\n" + new Yaml(block).dump(Map.of(ConfigFile.PLUGINS, pluginSections))
                    .replace("\"" + ConfigFile.PLUGINS + "\":", ConfigFile.PLUGINS + ":"));
        }
        out.flush();
        PrintWriter err = spec.commandLine().getErr();
        settings.warnings().forEach(w -> err.println("postern: warning: " + w));
        err.flush();
        return 0;
    }

    private void print(PrintWriter out, String indent, String key, OptionSpec option, ServeSettings settings) {
        String source = source(option);
        if (key.equals(SocksProxyEntries.KEY) && !fromFile.contains(option.longestName())
                && settings.relay() != null && !settings.relay().client().socksProxies().isEmpty() && texts(option).isEmpty()) {
            // A list of mappings in the config file, with pass-file: shown as resolved, without passwords.
            out.println(indent + "# " + key + ": " + settings.relay().client().socksProxies().stream().map(Object::toString)
                    .collect(Collectors.joining(" ; ")) + "  # config file");
            return;
        }
        if (option.arity().max() == 0) {
            out.println(indent + (source.equals(DEFAULT) ? "# " : "") + key + ": " + Boolean.TRUE.equals(option.getValue())
                    + "  # " + source);
            return;
        }
        List<String> texts = texts(option);
        if (texts.isEmpty()) {
            String shown = key.equals("hostname") ? settings.server().hostname() : null;
            if (shown != null) {
                out.println(indent + (source.equals(DEFAULT) ? "# " : "") + key + ": " + quote(shown) + "  # " + source
                        + " (this machine's name)");
            } else {
                out.println(indent + "# " + key + ": none  # " + source);
            }
            return;
        }
        List<String> shown = texts.stream().map(t -> SOCKS_PASSWORD.matcher(t).replaceAll("$1****")).toList();
        String value = option.isMultiValue()
                ? shown.stream().map(EffectiveSettings::quote).collect(Collectors.joining(", ", "[", "]"))
                : quote(shown.get(shown.size() - 1));
        // A default stays a comment: the lines that are not are exactly what was set, and reading the output back
        // sets nothing more (relay settings without --relay, for one, would be warned about).
        out.println(indent + (source.equals(DEFAULT) ? "# " : "") + key + ": " + value + "  # " + source);
    }

    /** The text the option's value was given as, or its default's; empty if it has none. */
    private List<String> texts(OptionSpec option) {
        String name = option.longestName();
        if (spec.commandLine().getParseResult().hasMatchedOption(name)) {
            return option.originalStringValues();
        }
        if (environment.sets(option)) {
            String described = environment.describe(option);
            return List.of(described.substring(described.indexOf('=') + 1));
        }
        if (fileValues.containsKey(name)) {
            return fileValues.get(name);
        }
        return option.defaultValue() == null ? List.of() : List.of(option.defaultValue());
    }

    private String source(OptionSpec option) {
        String name = option.longestName();
        if (spec.commandLine().getParseResult().hasMatchedOption(name)) {
            return "flag " + name;
        }
        if (environment.sets(option)) {
            return "environment " + EnvironmentDefaults.variable(option);
        }
        if (fromFile.contains(name)) {
            return "config file";
        }
        return DEFAULT;
    }

    private OptionSpec option(String name) {
        return spec.findOption(name);
    }

    private static String hostPort(Listener listener) {
        String host = listener.host();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + listener.port();
    }

    /** A YAML double-quoted scalar: the config file reads every scalar as text, so quoting never changes a value. */
    static String quote(String text) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\x%02x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
