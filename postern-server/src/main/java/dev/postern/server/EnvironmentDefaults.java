package dev.postern.server;

import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Settings from environment variables, as containers give them: {@code --max-message-size} is
 * {@code POSTERN_MAX_MESSAGE_SIZE}, {@code --tls-cert} is {@code POSTERN_TLS_CERT}. A variable takes the
 * flag's own syntax (a list is comma-separated, a switch is {@code true} or {@code false}); an empty one
 * counts as unset, as compose files and unit files often leave them.
 *
 * <p>Picocli asks this provider for an option's value whenever the option is not on the command line,
 * before the option's annotated default: so a flag beats the variable, which beats the default. The
 * config file, which comes between the variables and the defaults, is applied afterwards by
 * {@link ServeCommand}, only to options that neither a flag nor a variable set ({@link #sets}).
 */
final class EnvironmentDefaults implements IDefaultValueProvider {

    static final String PREFIX = "POSTERN_";

    /** Variables of the launchers and scripts, not settings: no warning for them. */
    private static final Set<String> NOT_SETTINGS = Set.of("POSTERN_NO_BUILD", "POSTERN_CDS", "POSTERN_HOME");

    private final Map<String, String> environment;

    EnvironmentDefaults(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    /** The variable that sets {@code option}: POSTERN_ and its long name, upper case, dashes as underscores. */
    static String variable(OptionSpec option) {
        return PREFIX + option.longestName().replaceFirst("^-+", "").toUpperCase(Locale.ROOT).replace('-', '_');
    }

    @Override
    public String defaultValue(ArgSpec argument) {
        if (argument instanceof OptionSpec option && settable(option)) {
            return value(option);
        }
        return null;
    }

    /** Whether a variable gives {@code option} a value. */
    boolean sets(OptionSpec option) {
        return settable(option) && value(option) != null;
    }

    /** The variable and its value, for messages and check-config, or null when no variable sets {@code option}. */
    String describe(OptionSpec option) {
        return sets(option) ? variable(option) + "=" + value(option) : null;
    }

    /** Variables with the prefix that name no option of {@code command}: most likely misspelt. */
    List<String> unknown(CommandSpec command) {
        Set<String> known = new TreeSet<>(NOT_SETTINGS);
        command.options().forEach(o -> known.add(variable(o)));
        return environment.keySet().stream().filter(k -> k.startsWith(PREFIX) && !known.contains(k)).sorted().toList();
    }

    private String value(OptionSpec option) {
        String value = environment.get(variable(option));
        return value == null || value.isEmpty() ? null : value;
    }

    private static boolean settable(OptionSpec option) {
        return !option.usageHelp() && !option.versionHelp();
    }
}
