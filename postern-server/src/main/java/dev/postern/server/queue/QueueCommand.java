package dev.postern.server.queue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.postern.server.admin.QueueFilter;
import dev.postern.server.admin.QueueJson;
import dev.postern.server.admin.QueueOperations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code postern queue}: the relay queue for operators, after Postfix's {@code mailq}, {@code postqueue -f},
 * {@code postsuper -d/-h/-H} and {@code postcat -q}. Each command works on a running server
 * ({@code --server URL --admin-token-file FILE}) or a stopped one's directory ({@code --queue-dir DIR}).
 * Exit codes: 0 done, 1 no such message, 2 bad input or a queue that cannot be reached.
 */
@Command(name = "queue", sortOptions = false, usageHelpAutoWidth = true,
        description = "Look at and change the relay queue of a running server (--server URL --admin-token-file FILE) "
                + "or of a stopped one (--queue-dir DIR). Exit codes: 0 done, 1 no such message, 2 bad input or unusable queue.",
        subcommands = {QueueCommand.ListCommand.class, QueueCommand.ShowCommand.class, QueueCommand.RetryCommand.class,
                QueueCommand.DeleteCommand.class, QueueCommand.HoldCommand.class, QueueCommand.ReleaseCommand.class,
                QueueCommand.BounceCommand.class})
public final class QueueCommand implements Runnable {

    static final int DONE = 0;
    static final int NO_SUCH_MESSAGE = 1;
    static final int BAD_INPUT = 2;

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(),
                "missing command: list, show, retry, delete, hold, release or bounce (postern queue --help)");
    }

    /** What every command does around its work: open the queue, map failures to exit codes, close. */
    abstract static class Base implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        QueueTarget target;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
        boolean help;

        /** The command's work; returns its exit code. */
        abstract int run(QueueClient queue, PrintWriter out) throws IOException;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try (QueueClient queue = target.open()) {
                int code = run(queue, out);
                return code;
            } catch (IllegalArgumentException | QueueClient.Unusable e) {
                err.println("postern: " + e.getMessage());
                return BAD_INPUT;
            } catch (IOException e) {
                err.println("postern: " + e.getMessage());
                return BAD_INPUT;
            } finally {
                out.flush();
                err.flush();
            }
        }

        void print(PrintWriter out, JsonNode json) {
            try {
                out.println(QueueJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        int noSuchMessage(String id) {
            spec.commandLine().getErr().println("postern: no such message in the queue: " + id);
            return NO_SUCH_MESSAGE;
        }

        /** An action on one message, printed. */
        int act(QueueClient queue, PrintWriter out, String id, QueueOperations.Action action) throws IOException {
            Optional<JsonNode> r = queue.act(id, action);
            if (r.isEmpty()) {
                return noSuchMessage(id);
            }
            if (target.json) {
                print(out, r.get());
            } else {
                out.println(action.word() + " " + id + ": " + (r.get().path("changed").asBoolean() ? "done" : "nothing to change"));
            }
            return DONE;
        }

        int counted(PrintWriter out, JsonNode r, String what) {
            if (target.json) {
                print(out, r);
            } else {
                out.println(what + ": " + r.path("count").asInt() + " message(s)");
            }
            return DONE;
        }

        /** Exactly one of the ways to say which messages, else a usage error. */
        void exactlyOne(String usage, Object... choices) {
            int given = 0;
            for (Object c : choices) {
                if (c != null && !Boolean.FALSE.equals(c)) {
                    given++;
                }
            }
            if (given != 1) {
                throw new ParameterException(spec.commandLine(), usage);
            }
        }
    }

    @Command(name = "list", description = "One line per message: id, age, size, sender, recipients with their state, "
            + "next attempt, last reply, proxy (PRX=); then the totals. --json prints an array, one object per message.")
    static final class ListCommand extends Base {

        @Option(names = "--sender", paramLabel = "ADDRESS", description = "Only messages from this sender (<> for the null sender).")
        String sender;

        @Option(names = "--recipient-domain", paramLabel = "DOMAIN", description = "Only messages with a recipient in this domain.")
        String domain;

        @Option(names = "--state", paramLabel = "STATE",
                description = "Only messages with a recipient in this state: pending, deferred, held, delivered, failed.")
        String state;

        @Override
        int run(QueueClient queue, PrintWriter out) throws IOException {
            JsonNode messages = queue.list(new QueueFilter(sender, domain, state));
            if (target.json) {
                print(out, messages);
            } else {
                QueueText.list(messages, Instant.now()).forEach(out::println);
            }
            return DONE;
        }
    }

    @Command(name = "show", description = "A message's envelope, each recipient's delivery history and the header fields; "
            + "--raw prints the message itself.")
    static final class ShowCommand extends Base {

        @Parameters(paramLabel = "ID", description = "The queue id.")
        String id;

        @Option(names = "--raw", description = "Print the message as queued (header and body).")
        boolean raw;

        @Override
        int run(QueueClient queue, PrintWriter out) throws IOException {
            if (raw) {
                Optional<byte[]> content = queue.raw(id);
                if (content.isEmpty()) {
                    return noSuchMessage(id);
                }
                out.print(new String(content.get(), StandardCharsets.UTF_8));
                return DONE;
            }
            Optional<JsonNode> m = queue.show(id);
            if (m.isEmpty()) {
                return noSuchMessage(id);
            }
            if (target.json) {
                print(out, m.get());
            } else {
                QueueText.show(m.get(), Instant.now()).forEach(out::println);
            }
            return DONE;
        }
    }

    @Command(name = "retry", description = "Attempt now, whatever the retry schedule (held recipients excepted); on a "
            + "stopped server's queue, due at its next start.")
    static final class RetryCommand extends Base {

        @Parameters(paramLabel = "ID", arity = "0..1", description = "The queue id.")
        String id;

        @Option(names = "--all", description = "Every queued message.")
        boolean all;

        @Override
        int run(QueueClient queue, PrintWriter out) throws IOException {
            exactlyOne("give a queue ID or --all", id, all);
            return all ? counted(out, queue.act(QueueOperations.BulkAction.RETRY_ALL), "retry all")
                    : act(queue, out, id, QueueOperations.Action.RETRY);
        }
    }

    @Command(name = "delete", description = "Delete without telling the sender: a message, every deferred recipient, "
            + "or the recipients of a domain not delivered yet.")
    static final class DeleteCommand extends Base {

        @Parameters(paramLabel = "ID", arity = "0..1", description = "The queue id.")
        String id;

        @Option(names = "--all-deferred", description = "Every deferred recipient; messages left with none go.")
        boolean allDeferred;

        @Option(names = "--recipient-domain", paramLabel = "DOMAIN", description = "The recipients in DOMAIN not delivered yet.")
        String domain;

        @Override
        int run(QueueClient queue, PrintWriter out) throws IOException {
            exactlyOne("give a queue ID, --all-deferred or --recipient-domain DOMAIN", id, allDeferred, domain);
            if (allDeferred) {
                return counted(out, queue.act(QueueOperations.BulkAction.DELETE_DEFERRED), "delete deferred");
            }
            if (domain != null) {
                return counted(out, queue.act(domain, QueueOperations.DomainAction.DELETE), "delete " + domain);
            }
            return act(queue, out, id, QueueOperations.Action.DELETE);
        }
    }

    @Command(name = "hold", description = "Neither attempt nor expire until released: a message, or the recipients of a domain.")
    static final class HoldCommand extends Base {

        @Parameters(paramLabel = "ID", arity = "0..1", description = "The queue id.")
        String id;

        @Option(names = "--recipient-domain", paramLabel = "DOMAIN", description = "The recipients in DOMAIN.")
        String domain;

        @Override
        int run(QueueClient queue, PrintWriter out) throws IOException {
            exactlyOne("give a queue ID or --recipient-domain DOMAIN", id, domain);
            return domain != null ? counted(out, queue.act(domain, QueueOperations.DomainAction.HOLD), "hold " + domain)
                    : act(queue, out, id, QueueOperations.Action.HOLD);
        }
    }

    @Command(name = "release", description = "Undo a hold; the recipients are due at once.")
    static final class ReleaseCommand extends Base {

        @Parameters(paramLabel = "ID", arity = "0..1", description = "The queue id.")
        String id;

        @Option(names = "--recipient-domain", paramLabel = "DOMAIN", description = "The held recipients in DOMAIN.")
        String domain;

        @Option(names = "--all", description = "Every held message.")
        boolean all;

        @Override
        int run(QueueClient queue, PrintWriter out) throws IOException {
            exactlyOne("give a queue ID, --recipient-domain DOMAIN or --all", id, domain, all);
            if (all) {
                return counted(out, queue.act(QueueOperations.BulkAction.RELEASE_ALL), "release all");
            }
            return domain != null ? counted(out, queue.act(domain, QueueOperations.DomainAction.RELEASE), "release " + domain)
                    : act(queue, out, id, QueueOperations.Action.RELEASE);
        }
    }

    @Command(name = "bounce", description = "Fail every recipient not delivered yet and return the message to its sender "
            + "now, with a DSN.")
    static final class BounceCommand extends Base {

        @Parameters(paramLabel = "ID", description = "The queue id.")
        String id;

        @Override
        int run(QueueClient queue, PrintWriter out) throws IOException {
            return act(queue, out, id, QueueOperations.Action.BOUNCE);
        }
    }

    /** @return the subcommands' names, for the help text of {@code postern} */
    static List<String> names() {
        return List.of("list", "show", "retry", "delete", "hold", "release", "bounce");
    }
}
