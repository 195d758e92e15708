package dev.postern.server;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Map;

/**
 * The {@code postern} command line. Exit codes: 0 done, 1 the server failed (e.g. an address in use),
 * 2 a bad flag, environment variable or config file. Errors are one line on stderr, without a stack trace.
 */
@Command(name = "postern", subcommands = {ServeCommand.class, dev.postern.server.queue.QueueCommand.class},
        versionProvider = BuildInfo.class,
        description = "Postern, an SMTP server. Run 'postern serve --help' for the server's settings, "
                + "'postern check-config --config FILE' to check settings without serving, "
                + "'postern queue --help' for the relay queue's commands.")
public final class PosternMain implements Runnable {

    static final String CHECK_CONFIG = "check-config";

    @Spec
    private CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    @Option(names = {"-V", "--version"}, versionHelp = true,
            description = "Show Postern's version, the commit it was built from and the Java runtime, and exit.")
    private boolean version;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command: try 'postern serve', 'postern check-config', "
                + "'postern queue' or 'postern --help'");
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("queue")) {
            // The queue commands print their own results; the queue's INFO lines would only repeat them on stderr.
            LogThreshold.WARN.apply();
        }
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return commandLine(System.getenv());
    }

    /** The command line with settings from {@code environment} ({@link EnvironmentDefaults}) below the flags. */
    static CommandLine commandLine(Map<String, String> environment) {
        EnvironmentDefaults defaults = new EnvironmentDefaults(environment);
        CommandLine check = new CommandLine(ServeCommand.checkConfig());
        check.getCommandSpec().name(CHECK_CONFIG);
        check.getCommandSpec().usageMessage().description(
                "Check the settings of 'postern serve' (the same flags, environment variables and --config file) without "
                        + "serving: print the effective settings, each with where it comes from, and exit 0; exit 2 on "
                        + "an error, with one line saying what is wrong. Warnings go to stderr.");
        CommandLine postern = new CommandLine(new PosternMain()).addSubcommand(CHECK_CONFIG, check);
        // The variables are serve's settings: serve and check-config read them, the queue commands do not.
        postern.getSubcommands().get("serve").setDefaultValueProvider(defaults);
        check.setDefaultValueProvider(defaults);
        return postern
                .setParameterExceptionHandler((e, args) -> fail(e.getCommandLine().getErr(), withVariable(e, defaults), 2))
                .setExecutionExceptionHandler((e, cl, parsed) -> fail(cl.getErr(), e.getMessage() != null ? e.getMessage() : e.toString(), 1));
    }

    /** A bad value that came from an environment variable says so: the user did not type the flag it names. */
    private static String withVariable(ParameterException e, EnvironmentDefaults defaults) {
        ArgSpec argument = e.getArgSpec();
        String message = e.getMessage();
        if (argument instanceof OptionSpec option && defaults.sets(option)
                && !e.getCommandLine().getParseResult().hasMatchedOption(option.longestName())) {
            int nl = message.indexOf('\n');
            return (nl < 0 ? message : message.substring(0, nl)) + " (from the environment: " + defaults.describe(option) + ")";
        }
        return message;
    }

    private static int fail(PrintWriter err, String message, int exitCode) {
        int nl = message.indexOf('\n');
        err.println("postern: " + (nl < 0 ? message : message.substring(0, nl)));
        err.flush();
        return exitCode;
    }
}
