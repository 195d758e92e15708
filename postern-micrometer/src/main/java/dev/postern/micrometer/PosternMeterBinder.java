package dev.postern.micrometer;

import dev.postern.Listener;
import dev.postern.ServerMetrics.Counter;
import dev.postern.SessionObserver;
import dev.postern.SmtpReply;
import dev.postern.SmtpServer;
import dev.postern.SmtpSession;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The metrics of an embedded {@link SmtpServer} for Micrometer, with the names of the standalone server's
 * Prometheus endpoint (a Prometheus registry writes {@code postern.messages.accepted} as
 * {@code postern_messages_accepted_total}):
 * <ul>
 * <li>every {@link Counter} as a counter {@code postern.<counter>} ({@code postern.messages.accepted},
 *     {@code postern.connections.refused}, ...), read from {@link SmtpServer#metrics()};</li>
 * <li>the gauge {@code postern.connections.active};</li>
 * <li>the timers {@code postern.session.duration} (tag {@code listener}), {@code postern.message.reply}
 *     (from the end of a message's content to the reply; tags {@code listener}, {@code reply}: 2xx, 4xx,
 *     5xx) and {@code postern.hook.duration} (tags {@code listener}, {@code hook}: onRcptTo, onMessage...),
 *     and the distribution summary {@code postern.message.size} in bytes (tags {@code listener},
 *     {@code reply}), fed by the server as a {@link SessionObserver}.</li>
 * </ul>
 * The {@code listener} tag is the listener's address as configured, {@code HOST:PORT}.
 *
 * <pre>{@code
 * SmtpServer server = SmtpServer.builder()...build().start();
 * new PosternMeterBinder(server).bindTo(registry);     // or a Spring @Bean of type MeterBinder
 * }</pre>
 *
 * Binding adds the binder to the server's observers: the timers count the sessions and hooks from then
 * on ({@link SmtpServer#addObserver}); the counters count from the server's start. {@link #close()}
 * stops the timing. One binder may be bound to several registries.
 */
public final class PosternMeterBinder implements MeterBinder, SessionObserver, AutoCloseable {

    private final SmtpServer server;
    private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();

    /**
     * A binder for {@code server}, built or already running.
     *
     * @param server the server whose metrics to bind
     * @throws NullPointerException if {@code server} is null
     */
    public PosternMeterBinder(SmtpServer server) {
        this.server = Objects.requireNonNull(server, "server");
    }

    /**
     * Registers the counters and the gauge with {@code registry}, and from now on records the server's
     * sessions, messages and hooks there.
     *
     * @param registry the registry
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        for (Counter counter : Counter.values()) {
            FunctionCounter.builder("postern." + counter.name().toLowerCase(Locale.ROOT).replace('_', '.'),
                            server, s -> s.metrics().get(counter))
                    .description(counter.description())
                    .register(registry);
        }
        Gauge.builder("postern.connections.active", server, SmtpServer::activeConnections)
                .description("SMTP connections open now.")
                .register(registry);
        boolean first = registries.isEmpty();
        registries.add(registry);
        if (first) {
            server.addObserver(this);
        }
    }

    /** Stops recording timings (the registered meters stay, with what they recorded). */
    @Override
    public void close() {
        server.removeObserver(this);
        registries.clear();
    }

    /**
     * Records a session's duration.
     *
     * @param listener the listener it came in on
     * @param session  the session
     * @param duration from the accept to the close
     */
    @Override
    public void sessionClosed(Listener listener, SmtpSession session, Duration duration) {
        Tags tags = Tags.of(listener(listener));
        for (MeterRegistry registry : registries) {
            Timer.builder("postern.session.duration").description("SMTP sessions, from the accept to the close.")
                    .tags(tags).register(registry).record(duration);
        }
    }

    /**
     * Records a message's size and the time to its reply.
     *
     * @param listener       the listener it came in on
     * @param session        the session
     * @param octets         the message's size
     * @param reply          the reply to its end
     * @param sinceEndOfData from the end of its content to the reply
     */
    @Override
    public void messageReplied(Listener listener, SmtpSession session, long octets, SmtpReply reply, Duration sinceEndOfData) {
        Tags tags = Tags.of(listener(listener), Tag.of("reply", (reply.code() / 100) + "xx"));
        for (MeterRegistry registry : registries) {
            DistributionSummary.builder("postern.message.size").baseUnit("bytes")
                    .description("Messages whose content ended, by the class of the reply to it (2xx accepted).")
                    .tags(tags).register(registry).record(octets);
            Timer.builder("postern.message.reply")
                    .description("From the end of a message's content (DATA's final dot, the last BDAT) to the reply.")
                    .tags(tags).register(registry).record(sinceEndOfData);
        }
    }

    /**
     * Records a hook's latency.
     *
     * @param listener the listener the session came in on
     * @param session  the session
     * @param hook     the hook's name
     * @param duration how long it took
     * @param threw    whether it threw
     */
    @Override
    public void hookCompleted(Listener listener, SmtpSession session, String hook, Duration duration, boolean threw) {
        Tags tags = Tags.of(listener(listener), Tag.of("hook", hook));
        for (MeterRegistry registry : registries) {
            Timer.builder("postern.hook.duration").description("Calls of the handler's hooks, returned or thrown.")
                    .tags(tags).register(registry).record(duration);
        }
    }

    /** The listener's address as configured: {@code HOST:PORT}, an IPv6 host in brackets. */
    private static Tag listener(Listener listener) {
        String host = listener.host();
        return Tag.of("listener", (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + listener.port());
    }
}
