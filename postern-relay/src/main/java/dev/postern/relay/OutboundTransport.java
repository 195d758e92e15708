package dev.postern.relay;

import java.util.concurrent.CompletableFuture;

/**
 * The outbound side that the queue drives: it groups recipients into routes and makes delivery
 * attempts. The SMTP/LMTP client implements it; tests may implement it with a fake.
 */
public interface OutboundTransport extends AutoCloseable {

    /**
     * The route of a recipient: recipients with the same route share one transaction. A smarthost or
     * LMTP server is one route for everyone; MX delivery routes by the recipient's domain (lower case).
     *
     * @param recipient the recipient's address ({@code local@domain})
     * @return the route key, never null
     */
    String route(String recipient);

    /**
     * Makes one delivery attempt for recipients of one route. Never throws and never completes
     * exceptionally: every failure (connection, proxy, timeout, remote reply) is an outcome in the report.
     *
     * @param request what to deliver, and to whom
     * @return the report, completed when the attempt is over (within the transport's own time bounds)
     */
    CompletableFuture<DeliveryReport> deliver(DeliveryRequest request);

    /** Closes pooled connections and releases threads; attempts in flight end as deferred. */
    @Override
    void close();
}
