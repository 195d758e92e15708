package dev.postern.relay.client.internal;

import dev.postern.relay.client.netty.Connection;
import dev.postern.relay.client.protocol.Capabilities;
import dev.postern.relay.client.protocol.WireException;

import java.time.Duration;
import java.util.List;

/**
 * An open session, ready for a transaction: its connection and the extensions of its last EHLO.
 *
 * @param connection the connection
 * @param caps       the server's extensions
 */
record Session(Connection connection, Capabilities caps) {

    /** How long QUIT waits for its 221 before the connection is closed anyway. */
    static final Duration QUIT_WAIT = Duration.ofSeconds(2);

    /** RFC 5321 4.1.1.10: QUIT, wait briefly for the 221, close. */
    void quit() {
        try {
            connection.smtp().send(List.of("QUIT"));
            connection.smtp().read(QUIT_WAIT, "the reply to QUIT");
        } catch (WireException e) {
            // closing anyway: the server may already have gone
        } finally {
            connection.close();
        }
    }
}
