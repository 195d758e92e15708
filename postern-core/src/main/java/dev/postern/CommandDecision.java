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

    /**
     * Process {@code commandLine} instead of what the client sent.
     *
     * @param commandLine the line to process, without the CRLF
     */
    record Rewrite(String commandLine) implements CommandDecision {
        /**
         * Checks that the line is a single line.
         *
         * @throws NullPointerException     if {@code commandLine} is null
         * @throws IllegalArgumentException if it contains CR, LF or NUL
         */
        public Rewrite {
            Objects.requireNonNull(commandLine, "commandLine");
            if (commandLine.indexOf('\r') >= 0 || commandLine.indexOf('\n') >= 0 || commandLine.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("a rewritten command line must not contain CR, LF or NUL");
            }
        }
    }

    /**
     * Answer with {@code reply}; the state machine does not see the command.
     *
     * @param reply the reply to send; it closes the connection if {@link SmtpReply#close()} says so
     */
    record Reply(SmtpReply reply) implements CommandDecision {
        /**
         * Checks that there is a reply.
         *
         * @throws NullPointerException if {@code reply} is null
         */
        public Reply {
            Objects.requireNonNull(reply, "reply");
        }
    }

    /** The decision to let a command line through unchanged; a null decision means the same. */
    Pass PASS = new Pass();

    /**
     * Let the command line through unchanged.
     *
     * @return {@link #PASS}
     */
    static CommandDecision pass() {
        return PASS;
    }

    /**
     * Process another line instead of what the client sent.
     *
     * @param commandLine the line to process, without the CRLF
     * @return a {@link Rewrite}
     * @throws IllegalArgumentException if {@code commandLine} contains CR, LF or NUL
     * @throws NullPointerException     if {@code commandLine} is null
     */
    static CommandDecision rewrite(String commandLine) {
        return new Rewrite(commandLine);
    }

    /**
     * Answer the command with a one-line reply; the connection stays open unless the code is 421.
     *
     * @param code           the reply code, 200..599
     * @param enhancedStatus the RFC 3463 status, e.g. {@code "2.0.0"}, matching the code's class; null for none
     * @param text           the reply text, without CR or LF
     * @return a {@link Reply}
     * @throws IllegalArgumentException as {@link SmtpReply#of(int, String, String)}
     */
    static CommandDecision reply(int code, String enhancedStatus, String text) {
        return new Reply(SmtpReply.of(code, enhancedStatus, text));
    }

    /**
     * Answer the command with a one-line reply and close the connection.
     *
     * @param code           the reply code, 200..599 (usually 421 or 5xx)
     * @param enhancedStatus the RFC 3463 status matching the code's class; null for none
     * @param text           the reply text, without CR or LF
     * @return a {@link Reply} whose reply closes the connection
     * @throws IllegalArgumentException as {@link SmtpReply#of(int, String, String)}
     */
    static CommandDecision replyAndClose(int code, String enhancedStatus, String text) {
        return new Reply(SmtpReply.of(code, enhancedStatus, text).andClose());
    }

    /**
     * Answer the command with {@code reply}, e.g. a multiline one.
     *
     * @param reply the reply; it closes the connection if {@link SmtpReply#close()} says so
     * @return a {@link Reply}
     * @throws NullPointerException if {@code reply} is null
     */
    static CommandDecision reply(SmtpReply reply) {
        return new Reply(reply);
    }
}
