package dev.postern.relay.queue;

import dev.postern.relay.DeliveryReport;
import dev.postern.relay.DeliveryRequest;
import dev.postern.relay.OutboundTransport;
import dev.postern.relay.RecipientOutcome;
import dev.postern.relay.RemoteReply;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A scripted transport: routes by domain (or one smarthost route), answers each recipient from a script
 * (by default: delivered), at once or when a test completes the attempt; records every request and
 * counts attempts in flight.
 */
class FakeTransport implements OutboundTransport {

    static final RemoteReply OK = new RemoteReply(250, "2.0.0", "Ok: queued as 42");
    static final String REMOTE = "mx.example.net[192.0.2.25]:25";
    static final String PROXY = "PRX=[198.51.100.7]:1080";

    /** An attempt a test holds open. */
    record Pending(DeliveryRequest request, CompletableFuture<DeliveryReport> future) {
    }

    final List<DeliveryRequest> requests = new ArrayList<>();
    final List<byte[]> contents = new ArrayList<>();
    final BlockingQueue<Pending> pending = new LinkedBlockingQueue<>();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    final Map<String, AtomicInteger> inFlightPerRoute = new ConcurrentHashMap<>();
    final Map<String, Integer> maxPerRoute = new ConcurrentHashMap<>();
    volatile Function<String, RecipientOutcome.Status> script = r -> RecipientOutcome.Status.DELIVERED;
    volatile Function<String, RemoteReply> replies = r -> OK;
    volatile boolean hold;
    volatile boolean nextHopDsn;
    volatile String smarthost;

    @Override
    public String route(String recipient) {
        return smarthost != null ? smarthost : recipient.substring(recipient.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
    }

    @Override
    public synchronized CompletableFuture<DeliveryReport> deliver(DeliveryRequest request) {
        requests.add(request);
        try (InputStream in = request.content().open()) {
            contents.add(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        int route = inFlightPerRoute.computeIfAbsent(request.route(), k -> new AtomicInteger()).incrementAndGet();
        maxPerRoute.merge(request.route(), route, Math::max);
        CompletableFuture<DeliveryReport> future = new CompletableFuture<>();
        CompletableFuture<DeliveryReport> counted = future.whenComplete((r, e) -> {
            inFlight.decrementAndGet();
            inFlightPerRoute.get(request.route()).decrementAndGet();
        });
        if (hold) {
            pending.add(new Pending(request, future));
        } else {
            future.complete(answer(request));
        }
        return counted;
    }

    /** The scripted report for a request. */
    DeliveryReport answer(DeliveryRequest request) {
        return new DeliveryReport(request.recipients().stream()
                .map(r -> new RecipientOutcome(r.address(), script.apply(r.address()), replies.apply(r.address()))).toList(),
                REMOTE, PROXY, nextHopDsn);
    }

    /** Waits for the next held attempt. */
    Pending next() throws InterruptedException {
        Pending p = pending.poll(10, TimeUnit.SECONDS);
        if (p == null) {
            throw new AssertionError("no delivery attempt within 10 s");
        }
        return p;
    }

    /** Completes a held attempt with the scripted answer. */
    void answer(Pending p) {
        p.future().complete(answer(p.request()));
    }

    synchronized List<DeliveryRequest> requests() {
        return List.copyOf(requests);
    }

    synchronized List<String> attemptedRecipients() {
        return requests.stream().flatMap(r -> r.recipients().stream()).map(r -> r.address()).toList();
    }

    @Override
    public void close() {
    }
}
