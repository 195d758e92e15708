package dev.postern.server;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;

/**
 * The {@code postern} command line. Exit codes: 0 done, 1 the server failed (e.g. an address in use),
 * 2 a bad flag or config file. Errors are one line on stderr, without a stack trace.
 */
@Command(name = "postern", subcommands = {ServeCommand.class, dev.postern.server.queue.QueueCommand.class},
        description = "Postern, an SMTP server. Run 'postern serve --help' for the server's settings, "
                + "'postern queue --help' for the relay queue's commands.")
public final class PosternMain implements Runnable {

    @Spec
    private CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command: try 'postern serve', 'postern queue' or 'postern --help'");
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("queue")) {
            // The queue commands print their own results; the queue's INFO lines would only repeat them on stderr.
            LogThreshold.WARN.apply();
        }
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new PosternMain())
                .setParameterExceptionHandler((e, args) -> fail(e.getCommandLine().getErr(), e.getMessage(), 2))
                .setExecutionExceptionHandler((e, cl, parsed) -> fail(cl.getErr(), e.getMessage() != null ? e.getMessage() : e.toString(), 1));
    }

    private static int fail(PrintWriter err, String message, int exitCode) {
        int nl = message.indexOf('\n');
        err.println("postern: " + (nl < 0 ? message : message.substring(0, nl)));
        err.flush();
        return exitCode;
    }
}
