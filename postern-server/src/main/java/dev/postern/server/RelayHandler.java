package dev.postern.server;

import dev.postern.ForwardPath;
import dev.postern.LogLevel;
import dev.postern.MailParameters;
import dev.postern.MessageHeaders;
import dev.postern.ReceivedMessage;
import dev.postern.ReversePath;
import dev.postern.SessionEvent;
import dev.postern.SmtpRejection;
import dev.postern.SmtpSession;
import dev.postern.SmtpHandler;
import dev.postern.auth.Credentials;
import dev.postern.relay.queue.MailQueue;

import java.io.IOException;
import java.nio.file.Files;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.ZonedDateTime;

/**
 * The handler of {@code postern serve --relay}: refuses recipients the client may not relay to
 * ({@link RelayAccess}), stamps each message with a Received field and puts it in the queue, flushed to
 * disk before {@code onMessage} returns, so that the client's 250 means the message is durable. A
 * full queue is refused with 452 4.3.1 as early as it can be: at MAIL, by the declared SIZE. Its hooks
 * block on disk, so it leaves {@link #isNonBlocking()} false and runs off the event loop.
 */
final class RelayHandler implements SmtpHandler {

    private static final SmtpRejection QUEUE_FULL = SmtpRejection.of(452, "4.3.1", "Queue full, try again later");
    private static final SmtpRejection NOT_QUEUED = SmtpRejection.of(451, "4.3.0", "Cannot queue the message now, try again later");

    private final MailQueue queue;
    private final RelayAccess access;
    private final String hostname;
    private final Clock clock;
    private final AuthSettings auth;

    RelayHandler(MailQueue queue, RelayAccess access, String hostname, Clock clock) {
        this(queue, access, hostname, clock, AuthSettings.OFF);
    }

    RelayHandler(MailQueue queue, RelayAccess access, String hostname, Clock clock, AuthSettings auth) {
        this.queue = queue;
        this.access = access;
        this.hostname = hostname;
        this.clock = clock;
        this.auth = auth;
    }

    /** The users file decides ({@link AuthSettings#onAuth}); an authenticated client may relay to any domain. */
    @Override
    public String onAuth(SmtpSession session, Credentials credentials) {
        return auth.onAuth(this, session, credentials);
    }

    @Override
    public ReversePath onMailFrom(SmtpSession session, ReversePath from, MailParameters parameters) {
        if (!queue.hasRoomFor(declaredSize(parameters))) {
            throw QUEUE_FULL;
        }
        return from;
    }

    @Override
    public ForwardPath onRcptTo(SmtpSession session, ForwardPath to, MailParameters parameters) {
        return access.check(session, to);
    }

    /** Added here rather than by the queue so the library counts it in the size and hands it on in the content. */
    @Override
    public void onDataStart(SmtpSession session, MessageHeaders headers) {
        headers.prepend(ReceivedField.NAME, ReceivedField.value(session, hostname, session.id(), ZonedDateTime.now(clock),
                auth.receivedAuthUser()));
    }

    @Override
    public void onMessage(SmtpSession session, ReceivedMessage message) {
        String queueId;
        try {
            // Throws QueueFullException, a 452 4.3.1 rejection, when the message does not fit.
            queueId = queue.enqueue(message.envelope(), message);
        } catch (IOException e) {
            onSessionEvent(session, SessionEvent.of(LogLevel.ERROR, "queue_failed", "cannot queue message " + message.id()
                    + " in " + queue.directory() + ": " + e).with("message_id", message.id()));
            throw outOfSpace(message.size()) ? QUEUE_FULL : NOT_QUEUED;
        }
        onSessionEvent(session, SessionEvent.of(LogLevel.INFO, "message_queued", "message " + message.id() + " queued as "
                        + queueId + " from " + message.envelope().reversePath() + " for "
                        + message.envelope().recipients().size() + " recipient(s), " + message.size() + " octets"
                        + inboundProxy(session))
                .with("message_id", message.id()).with("queue_id", queueId)
                .with("from", message.envelope().reversePath().toString())
                .with("recipients", message.envelope().recipients().size()).with("octets", message.size()));
    }

    /**
     * Exim's {@code PRX=} log item for the proxy the client came through (PROXY header or XCLIENT), the
     * hop whose address the log would otherwise lose; empty for a direct client.
     */
    static String inboundProxy(SmtpSession session) {
        InetSocketAddress hop = session.socketRemoteAddress();
        if (!session.isProxied() || hop == null) {
            return "";
        }
        String ip = hop.getAddress() == null ? hop.getHostString() : hop.getAddress().getHostAddress();
        return " PRX=[" + ip + "]:" + hop.getPort();
    }

    /**
     * Whether the queue's file system has no room for the message (ENOSPC has no exception of its own in Java):
     * then the answer is the queue's own 452 4.3.1, "mail system full" (RFC 3463), not a local error.
     */
    private boolean outOfSpace(long size) {
        try {
            return Files.getFileStore(queue.directory()).getUsableSpace() < size + OUT_OF_SPACE_MARGIN;
        } catch (IOException e) {
            return false;
        }
    }

    /** The room a message needs besides its content: its state file, the directory entries, a block or two. */
    private static final long OUT_OF_SPACE_MARGIN = 64 * 1024;

    /** SIZE of MAIL (RFC 1870), which the library has checked already; 0 without it. */
    private static long declaredSize(MailParameters parameters) {
        String size = parameters.get("SIZE").orElse("");
        return size.matches("\\d{1,18}") ? Long.parseLong(size) : 0;
    }
}
