package dev.postern.message;

import dev.postern.SmtpServerConfig;

/**
 * Opens the {@link MessageSink} for each message a session receives. The transport passes
 * {@link MessageSpool#open} (memory, then a spool file); protocol tests pass memory only.
 *
 * <p>The sink interfaces live here, beside the spool that implements them, rather than in
 * {@code protocol}: the protocol depends on {@code message} (it also scans headers with it) and
 * {@code message} on nothing above it, so the sans-I/O protocol is given its storage and never names a file.
 * The configuration comes with each call so that a factory needs no state: one instance serves every session.
 */
@FunctionalInterface
public interface MessageSinkFactory {

    /** A new, empty sink for one message, bounded by {@code config}'s message size limit. */
    MessageSink open(SmtpServerConfig config);
}
