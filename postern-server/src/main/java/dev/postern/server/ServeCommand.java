package dev.postern.server;

import dev.postern.LineEndingPolicy;
import dev.postern.Listener;
import dev.postern.SmtpServerConfig;
import dev.postern.server.ValueConverters.ByteSizeConverter;
import dev.postern.server.ValueConverters.DurationConverter;
import dev.postern.server.ValueConverters.LineEndingsConverter;
import dev.postern.server.ValueConverters.ListenerConverter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code postern serve}: the standalone SMTP server. Settings come from the flags, then the
 * {@code --config} file, then the defaults shown in {@code --help}, which are the library's own
 * (a test keeps them equal).
 */
@Command(name = "serve", sortOptions = false, usageHelpAutoWidth = true,
        description = "Run the SMTP server, delivering every accepted message to a Maildir.")
final class ServeCommand implements Callable<Integer> {

    static final String CONFIG_OPTION = "--config";

    @Spec
    private CommandSpec spec;

    @Option(names = CONFIG_OPTION, paramLabel = "FILE",
            description = "YAML settings file; its keys are these flags' names without the dashes. Flags override it. Default: none.")
    private Path config;

    @Option(names = "--listen", paramLabel = "HOST:PORT", split = ",", defaultValue = "127.0.0.1:2525",
            converter = ListenerConverter.class,
            description = "Address to listen on; repeat for more. HOST: an IP, [IPv6], a name, * or empty for every interface. Default: ${DEFAULT-VALUE}.")
    private List<Listener> listen;

    @Option(names = "--maildir", paramLabel = "DIR", defaultValue = "./mail",
            description = "Maildir to deliver into; tmp/, new/ and cur/ are created. Default: ${DEFAULT-VALUE}.")
    private Path maildir;

    @Option(names = "--hostname", paramLabel = "NAME",
            description = "Name of this server in the greeting, the EHLO reply and Received fields. Default: this machine's host name.")
    private String hostname;

    @Option(names = "--max-message-size", paramLabel = "BYTES", defaultValue = "25MiB", converter = ByteSizeConverter.class,
            description = "Largest message (SIZE); e.g. 1048576, 512K, 25M, 25MiB (K/M/G are 1024-based, KB/MB/GB 1000-based). Default: ${DEFAULT-VALUE}.")
    private long maxMessageSize;

    @Option(names = "--max-recipients", paramLabel = "N", defaultValue = "100",
            description = "Recipients per message; more get 452. Default: ${DEFAULT-VALUE}.")
    private int maxRecipients;

    @Option(names = "--max-errors", paramLabel = "N", defaultValue = "20",
            description = "Error replies in a session before the server says 421 and closes. Default: ${DEFAULT-VALUE}.")
    private int maxErrors;

    @Option(names = "--command-timeout", paramLabel = "DURATION", defaultValue = "5m", converter = DurationConverter.class,
            description = "Wait for the next command; e.g. 500ms, 30s, 5m, 1h, 1m30s, PT5M. Default: ${DEFAULT-VALUE}.")
    private Duration commandTimeout;

    @Option(names = "--data-timeout", paramLabel = "DURATION", defaultValue = "3m", converter = DurationConverter.class,
            description = "Wait for more message data during DATA or BDAT. Default: ${DEFAULT-VALUE}.")
    private Duration dataTimeout;

    @Option(names = "--session-deadline", paramLabel = "DURATION", defaultValue = "30m", converter = DurationConverter.class,
            description = "Longest life of one connection, whatever it does. Default: ${DEFAULT-VALUE}.")
    private Duration sessionDeadline;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "1000",
            description = "Open connections at once; one more gets 421. Default: ${DEFAULT-VALUE}.")
    private int maxConnections;

    @Option(names = "--max-processings", paramLabel = "N", defaultValue = "256",
            description = "Message deliveries and other hook calls running at once; more wait. Default: ${DEFAULT-VALUE}.")
    private int maxProcessings;

    @Option(names = "--io-threads", paramLabel = "N", defaultValue = "0",
            description = "Network event-loop threads; 0 for Netty's choice (2 x cores). Default: ${DEFAULT-VALUE}.")
    private int ioThreads;

    @Option(names = "--line-endings", paramLabel = "strict|normalize|leave", defaultValue = "normalize",
            converter = LineEndingsConverter.class,
            description = "Bare CR or LF: refuse (strict), turn into CRLF (normalize) or keep in content (leave). Default: ${DEFAULT-VALUE}.")
    private LineEndingPolicy lineEndings;

    @Option(names = "--reverse-dns",
            description = "Look up each client's reverse DNS name (shown in Received fields). Default: off.")
    private boolean reverseDns;

    @Option(names = "--discard",
            description = "Accept every message and keep nothing, like Postfix's smtp-sink, for load tests. Default: off.")
    private boolean discard;

    @Option(names = "--shutdown-grace", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "On SIGTERM, time open sessions get to finish before they get 421. Default: ${DEFAULT-VALUE}.")
    private Duration shutdownGrace;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    @Override
    public Integer call() throws Exception {
        new StandaloneServer(settings()).runUntilShutdown();
        return 0;
    }

    /** The settings from the flags, the config file and the defaults; a bad one is a usage error. */
    ServeSettings settings() {
        if (config != null) {
            applyConfigFile();
        }
        try {
            SmtpServerConfig.Builder server = SmtpServerConfig.builder()
                    .maxMessageSize(maxMessageSize)
                    .maxRecipients(maxRecipients)
                    .maxErrors(maxErrors)
                    .commandTimeout(commandTimeout)
                    .dataTimeout(dataTimeout)
                    .sessionDeadline(sessionDeadline)
                    .maxConnections(maxConnections)
                    .maxProcessings(maxProcessings)
                    .ioThreads(ioThreads)
                    .lineEndings(lineEndings)
                    .reverseDnsLookup(reverseDns);
            listen.forEach(server::listen);
            if (hostname != null) {
                server.hostname(hostname);
            }
            if (shutdownGrace.isNegative()) {
                throw new IllegalArgumentException("shutdown grace must not be negative: " + shutdownGrace);
            }
            return new ServeSettings(server.build(), maildir, discard, shutdownGrace);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "invalid settings: " + e.getMessage());
        }
    }

    /** Takes from the config file every setting that was not given as a flag. */
    private void applyConfigFile() {
        Map<String, OptionSpec> settable = ConfigFile.settableOptions(spec, CONFIG_OPTION);
        CommandLine fromFile = new CommandLine(new ServeCommand());
        ParseResult parsed;
        try {
            ConfigFile file = ConfigFile.read(config);
            try {
                parsed = fromFile.parseArgs(file.toArguments(settable).toArray(String[]::new));
            } catch (ParameterException e) {
                throw new ConfigException(file.path() + ": " + e.getMessage());
            }
        } catch (ConfigException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        ParseResult flags = spec.commandLine().getParseResult();
        for (OptionSpec fromConfig : parsed.matchedOptions()) {
            if (!flags.hasMatchedOption(fromConfig.longestName())) {
                spec.findOption(fromConfig.longestName()).setValue(fromConfig.getValue());
            }
        }
    }
}
