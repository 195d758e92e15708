package dev.postern.server;

import dev.postern.SmtpHandler;

/**
 * The {@code --discard} handler: accepts every message and keeps nothing, like Postfix's smtp-sink,
 * for load tests. It overrides no hook, so the library runs every session on the event loop with no
 * thread hop.
 */
final class DiscardHandler implements SmtpHandler {

    @Override
    public boolean isNonBlocking() {
        return true;
    }
}
