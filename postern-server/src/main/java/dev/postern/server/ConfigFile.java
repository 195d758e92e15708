package dev.postern.server;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
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
 */
final class ConfigFile {

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
            document = new Yaml(new SafeConstructor(options)).load(reader);
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark();
            throw new ConfigException(path + (mark == null ? "" : " line " + (mark.getLine() + 1) + ", column "
                    + (mark.getColumn() + 1)) + ": " + e.getProblem());
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

    /**
     * The settings as arguments for {@code spec}'s options.
     *
     * @param settable the options a config file may set, keyed by long name without dashes
     */
    List<String> toArguments(Map<String, OptionSpec> settable) throws ConfigException {
        List<String> args = new ArrayList<>();
        for (Map.Entry<String, Object> e : values.entrySet()) {
            OptionSpec option = settable.get(e.getKey());
            if (option == null) {
                throw new ConfigException(path + ": unknown key '" + e.getKey() + "' (known keys: "
                        + String.join(", ", settable.keySet()) + ")");
            }
            addArguments(args, e.getKey(), option, e.getValue());
        }
        return args;
    }

    private void addArguments(List<String> args, String key, OptionSpec option, Object value) throws ConfigException {
        if (value == null) {
            throw new ConfigException(path + ": '" + key + "' has no value");
        }
        if (value instanceof Map) {
            throw new ConfigException(path + ": '" + key + "' must be a value, not a mapping");
        }
        if (option.arity().max() == 0) {
            if (!(value instanceof Boolean on)) {
                throw new ConfigException(path + ": '" + key + "' must be true or false");
            }
            // Every switch is off by default, so "false" needs no argument.
            if (on) {
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

    /** The options of {@code spec} a config file may set: all long options but help and the config file itself. */
    static Map<String, OptionSpec> settableOptions(CommandSpec spec, String configOption) {
        return spec.options().stream()
                .filter(o -> !o.usageHelp() && !o.versionHelp() && !o.longestName().equals(configOption))
                .collect(Collectors.toMap(o -> o.longestName().substring(2), o -> o, (a, b) -> a, LinkedHashMap::new));
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "not valid YAML";
        }
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }
}
