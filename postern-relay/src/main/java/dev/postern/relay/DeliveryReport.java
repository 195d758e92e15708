package dev.postern.relay;

import java.util.List;
import java.util.Objects;

/**
 * What one delivery attempt achieved, recipient by recipient.
 *
 * @param outcomes one per requested recipient, in request order
 * @param remote   the host the attempt reached or tried last, as {@code name[address]:port}, or empty
 * @param proxy    the SOCKS5 proxy used, as Exim's log item {@code PRX=[address]:port}, or empty for a direct connection
 * @param nextHopDsn whether the next hop offered DSN (RFC 3461) and got the recipients' NOTIFY and ORCPT: it then
 *                 owns the success notifications of the recipients it accepted; when false the queue sends a
 *                 "relayed" DSN to recipients that asked for NOTIFY=SUCCESS (RFC 3461 5.2.2)
 */
public record DeliveryReport(List<RecipientOutcome> outcomes, String remote, String proxy, boolean nextHopDsn) {

    /** Validates and copies. */
    public DeliveryReport {
        outcomes = List.copyOf(outcomes);
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(proxy, "proxy");
    }

    /**
     * A report from a next hop that did not offer DSN (or before any hop was reached).
     *
     * @param outcomes one per requested recipient, in request order
     * @param remote   the host reached or tried last, or empty
     * @param proxy    the proxy's log item, or empty
     */
    public DeliveryReport(List<RecipientOutcome> outcomes, String remote, String proxy) {
        this(outcomes, remote, proxy, false);
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
