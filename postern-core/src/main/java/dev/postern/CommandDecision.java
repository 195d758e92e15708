package dev.postern;

import java.util.Objects;

/**
 * What the pre-command filter ({@link SmtpHandler#onCommand}) decides about one command line: let it
 * pass, pass a rewritten line in its place, or answer it (optionally closing the connection) so the
 * state machine never sees it. Custom commands are built by answering them here.
 */
public sealed interface CommandDecision {

    /** Let the command line through unchanged. */
    record Pass() implements CommandDecision {
    }

    /** Process {@code commandLine} instead of what the client sent. */
    record Rewrite(String commandLine) implements CommandDecision {
        public Rewrite {
            Objects.requireNonNull(commandLine, "commandLine");
            if (commandLine.indexOf('\r') >= 0 || commandLine.indexOf('\n') >= 0 || commandLine.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("a rewritten command line must not contain CR, LF or NUL");
            }
        }
    }

    /** Answer with {@code reply}; the state machine does not see the command. */
    record Reply(SmtpReply reply) implements CommandDecision {
        public Reply {
            Objects.requireNonNull(reply, "reply");
        }
    }

    Pass PASS = new Pass();

    static CommandDecision pass() {
        return PASS;
    }

    static CommandDecision rewrite(String commandLine) {
        return new Rewrite(commandLine);
    }

    static CommandDecision reply(int code, String enhancedStatus, String text) {
        return new Reply(SmtpReply.of(code, enhancedStatus, text));
    }

    /** Answer and close the connection. */
    static CommandDecision replyAndClose(int code, String enhancedStatus, String text) {
        return new Reply(SmtpReply.of(code, enhancedStatus, text).andClose());
    }

    static CommandDecision reply(SmtpReply reply) {
        return new Reply(reply);
    }
}
