package dev.postern.relay;

import java.util.List;
import java.util.Objects;

/**
 * What one delivery attempt achieved, recipient by recipient.
 *
 * @param outcomes one per requested recipient, in request order
 * @param remote   the host the attempt reached or tried last, as {@code name[address]:port}, or empty
 * @param proxy    the SOCKS5 proxy used, as Exim's log item {@code PRX=[address]:port}, or empty for a direct connection
 */
public record DeliveryReport(List<RecipientOutcome> outcomes, String remote, String proxy) {

    /** Validates and copies. */
    public DeliveryReport {
        outcomes = List.copyOf(outcomes);
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(proxy, "proxy");
    }

    /**
     * The same outcome for every recipient of a request: a failure before any recipient was tried.
     *
     * @param request the attempt's request
     * @param outcome the outcome for all
     * @param reply   the reply (or Postern's own description of the failure)
     * @param remote  the host tried, or empty
     * @param proxy   the proxy used, or empty
     * @return the report
     */
    public static DeliveryReport all(DeliveryRequest request, RecipientOutcome.Status outcome, RemoteReply reply,
                                     String remote, String proxy) {
        return new DeliveryReport(request.recipients().stream()
                .map(r -> new RecipientOutcome(r.address(), outcome, reply)).toList(), remote, proxy);
    }
}
