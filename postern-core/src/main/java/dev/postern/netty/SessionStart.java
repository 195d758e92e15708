package dev.postern.netty;

import dev.postern.LogLevel;
import dev.postern.SessionEvent;
import dev.postern.ServerMetrics.Counter;
import dev.postern.protocol.Replies;
import dev.postern.protocol.SessionState;
import dev.postern.protocol.SmtpProtocol;

import java.net.InetAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * From an identified client to the greeting: the per-client limit (by the real client, so only now),
 * then the reverse DNS lookup and the greeting delay when configured, then the greeting.
 */
final class SessionStart {

    private SessionStart() {
    }

    /**
     * Runs as a step of the session. Without lookup or delay the greeting is sent within this very step,
     * so that input already queued behind it (pipelined after a PROXY header) is read after the greeting.
     */
    static void run(ServerContext server, SessionBridge bridge) {
        SmtpProtocol protocol = bridge.protocol();
        if (protocol.isClosed()) {
            return;
        }
        SessionState session = protocol.session();
        if (server.clients.enabled()) {
            InetAddress client = session.remoteAddress().getAddress();
            if (!server.clients.admit(client)) {
                server.metrics.increment(Counter.CONNECTIONS_REFUSED);
                server.log(session, SessionEvent.of(LogLevel.WARN, "connection_refused", "connection from "
                        + client.getHostAddress() + " refused: too many connections from this client (" + server.clients.limit()
                        + ")").with("limit", server.clients.limit()));
                protocol.abort(Replies.tooManyConnectionsFromClient(server.config.hostname()));
                return;
            }
            bridge.countedClient(client);
        }
        if (server.config.reverseDnsLookup()) {
            Thread.ofVirtual().start(() -> {
                protocol.clientHostName(reverseLookup(server, session.remoteAddress().getAddress()));
                greetLater(server, bridge);
            });
        } else if (server.config.greetingDelay().isPositive()) {
            greetLater(server, bridge);
        } else {
            protocol.connect();
        }
    }

    private static void greetLater(ServerContext server, SessionBridge bridge) {
        Runnable greet = () -> bridge.runner().submit(bridge.protocol()::connect);
        long delay = server.config.greetingDelay().toNanos();
        if (delay > 0) {
            bridge.channel().eventLoop().schedule(greet, delay, TimeUnit.NANOSECONDS);
        } else {
            greet.run();
        }
    }

    private static String reverseLookup(ServerContext server, InetAddress address) {
        CompletableFuture<String> lookup = CompletableFuture.supplyAsync(address::getCanonicalHostName,
                command -> Thread.ofVirtual().start(command));
        try {
            String name = lookup.get(server.config.reverseDnsTimeout().toMillis(), TimeUnit.MILLISECONDS);
            return name.equals(address.getHostAddress()) ? null : name;
        } catch (Exception e) {
            lookup.cancel(true);
            return null;
        }
    }
}
