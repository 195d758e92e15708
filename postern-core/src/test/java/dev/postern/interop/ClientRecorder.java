package dev.postern.interop;

import dev.postern.Envelope;
import dev.postern.LogLevel;
import dev.postern.ReceivedMessage;
import dev.postern.SmtpSession;
import dev.postern.SmtpHandler;
import dev.postern.proxy.ProxyInfo;
import dev.postern.tls.TlsInfo;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Records who the connect and message hooks believed the client was, and every log event. */
class ClientRecorder implements SmtpHandler {

    /** What a hook saw of the session. */
    record Seen(String sessionId, InetSocketAddress remote, InetSocketAddress socketRemote,
                InetSocketAddress local, Optional<ProxyInfo> proxy, Optional<TlsInfo> tls) {

        static Seen of(SmtpSession s) {
            return new Seen(s.id(), s.remoteAddress(), s.socketRemoteAddress(), s.localAddress(), s.proxy(), s.tls());
        }

        String remoteIp() {
            return remote.getAddress().getHostAddress();
        }

        String socketRemoteIp() {
            return socketRemote.getAddress().getHostAddress();
        }
    }

    /** One accepted message and the session it came in. */
    record Delivered(Seen session, Envelope envelope, String content) {
    }

    final BlockingQueue<Seen> connects = new LinkedBlockingQueue<>();
    final BlockingQueue<Delivered> messages = new LinkedBlockingQueue<>();
    final BlockingQueue<Seen> disconnects = new LinkedBlockingQueue<>();
    final List<String> logs = new CopyOnWriteArrayList<>();

    @Override
    public void onConnect(SmtpSession session) {
        connects.add(Seen.of(session));
    }

    @Override
    public void onDisconnect(SmtpSession session) {
        disconnects.add(Seen.of(session));
    }

    @Override
    public void onMessage(SmtpSession session, ReceivedMessage message) throws Exception {
        messages.add(new Delivered(Seen.of(session), message.envelope(), new String(message.readAllBytes(), StandardCharsets.UTF_8)));
    }

    @Override
    public void onLogEvent(SmtpSession session, LogLevel level, String message, Throwable error) {
        logs.add(level + " " + message + (error == null ? "" : " (" + error + ")"));
    }

    Seen nextConnect() throws InterruptedException {
        Seen s = connects.poll(10, TimeUnit.SECONDS);
        if (s == null) {
            throw new AssertionError("onConnect was not called within 10 s; log: " + logs);
        }
        return s;
    }

    Seen nextDisconnect() throws InterruptedException {
        Seen s = disconnects.poll(10, TimeUnit.SECONDS);
        if (s == null) {
            throw new AssertionError("onDisconnect was not called within 10 s; log: " + logs);
        }
        return s;
    }

    Delivered nextMessage() throws InterruptedException {
        Delivered d = messages.poll(10, TimeUnit.SECONDS);
        if (d == null) {
            throw new AssertionError("no message arrived within 10 s; log: " + logs);
        }
        return d;
    }

    /** Log events at WARN or ERROR: a clean interop run has none. */
    List<String> problems() {
        return logs.stream().filter(l -> l.startsWith("WARN") || l.startsWith("ERROR")).toList();
    }
}
