package dev.postern.server;

import dev.postern.LogLevel;
import dev.postern.ReceivedMessage;
import dev.postern.MessageHeaders;
import dev.postern.SessionEvent;
import dev.postern.SmtpSession;
import dev.postern.SmtpHandler;

import java.nio.file.Path;
import java.time.Clock;
import java.time.ZonedDateTime;

/**
 * The standalone server's handler: stamps each message with a Received field and delivers it to a
 * Maildir. Its hooks block on disk, so it leaves {@link #isNonBlocking()} false and runs off the
 * event loop.
 */
final class MaildirHandler implements SmtpHandler {

    private final MaildirStore store;
    private final String hostname;
    private final Clock clock;

    MaildirHandler(MaildirStore store, String hostname, Clock clock) {
        this.store = store;
        this.hostname = hostname;
        this.clock = clock;
    }

    /** Added here rather than by the store so the library counts it in the size and hands it on in the content. */
    @Override
    public void onDataStart(SmtpSession session, MessageHeaders headers) {
        headers.prepend(ReceivedField.NAME,
                ReceivedField.value(session, hostname, session.id(), ZonedDateTime.now(clock)));
    }

    @Override
    public void onMessage(SmtpSession session, ReceivedMessage message) {
        Path file;
        try {
            file = store.deliver(message);
        } catch (MaildirStore.DeliveryFailed e) {
            // Logged here, with the session id: the library does not log a rejection, only sends its reply.
            onSessionEvent(session, SessionEvent.of(LogLevel.ERROR, "store_failed", e.detail()).with("message_id", message.id()));
            throw e;
        }
        onSessionEvent(session, SessionEvent.of(LogLevel.DEBUG, "message_stored", "message " + message.id() + " stored as new/"
                + file.getFileName()).with("message_id", message.id()).with("file", "new/" + file.getFileName()));
    }
}
