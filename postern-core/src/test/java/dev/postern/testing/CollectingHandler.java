package dev.postern.testing;

import dev.postern.Envelope;
import dev.postern.ReceivedMessage;
import dev.postern.SmtpSession;
import dev.postern.SmtpHandler;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Keeps every accepted message, and the sessions that connected, for assertions. */
public class CollectingHandler implements SmtpHandler {

    /** One accepted message as the hook saw it. */
    public record Received(Envelope envelope, String content, String remoteIp, String sessionId) {
    }

    public final BlockingQueue<Received> messages = new LinkedBlockingQueue<>();
    public final List<String> disconnected = new CopyOnWriteArrayList<>();

    @Override
    public void onMessage(SmtpSession session, ReceivedMessage message) throws Exception {
        messages.add(new Received(message.envelope(), new String(message.readAllBytes(), StandardCharsets.UTF_8),
                session.remoteAddress().getAddress().getHostAddress(), session.id()));
    }

    @Override
    public void onDisconnect(SmtpSession session) {
        disconnected.add(session.id());
    }

    public Received next() throws InterruptedException {
        Received r = messages.poll(10, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("no message arrived within 10 s");
        }
        return r;
    }
}
