package dev.postern.relay.client.protocol;

import dev.postern.relay.DeliveryRequest;
import dev.postern.relay.RecipientOutcome;
import dev.postern.relay.RecipientOutcome.Status;
import dev.postern.relay.RemoteReply;
import dev.postern.relay.client.RelayTimeouts;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One mail transaction on an open session: MAIL, RCPT for each recipient, then DATA or BDAT, and the
 * outcome of each recipient. RCPT replies decide each recipient; the reply after the data decides the
 * accepted ones (in LMTP, one reply each, RFC 2033 4.2). 2yz delivered, 4yz deferred, 5yz failed; a
 * connection that fails midway defers whoever is still undecided.
 */
public final class MailTransaction {

    /**
     * @param outcomes   one per recipient, in request order
     * @param reusable   whether the session is in a clean state for another transaction
     * @param nextHopDsn whether the server offered DSN, so the recipients' NOTIFY and ORCPT (and the message's RET
     *                   and ENVID) went with them: the next hop then owns the success notifications (RFC 3461 5.2.2)
     */
    public record Result(List<RecipientOutcome> outcomes, boolean reusable, boolean nextHopDsn) {
    }

    private final SmtpWire wire;
    private final Capabilities caps;
    private final boolean lmtp;
    private final DeliveryRequest request;
    private final RelayTimeouts timeouts;
    private final Deadline deadline;
    private final RecipientOutcome[] outcomes;
    private final List<Integer> accepted = new ArrayList<>();

    private MailTransaction(SmtpWire wire, Capabilities caps, boolean lmtp, DeliveryRequest request,
                            RelayTimeouts timeouts, Deadline deadline) {
        this.wire = wire;
        this.caps = caps;
        this.lmtp = lmtp;
        this.request = request;
        this.timeouts = timeouts;
        this.deadline = deadline;
        this.outcomes = new RecipientOutcome[request.recipients().size()];
    }

    /**
     * Runs the transaction.
     *
     * @param wire     the session's connection
     * @param caps     the server's extensions
     * @param lmtp     whether the session is LMTP
     * @param request  what to deliver
     * @param timeouts the bounds
     * @param deadline the transaction's end
     * @return the outcomes, and whether the session can be reused
     */
    public static Result run(SmtpWire wire, Capabilities caps, boolean lmtp, DeliveryRequest request,
                             RelayTimeouts timeouts, Deadline deadline) {
        return new MailTransaction(wire, caps, lmtp, request, timeouts, deadline).run();
    }

    private Result run() {
        try {
            Envelope envelope = Envelope.of(request, caps);
            if (envelope.refusal() != null) {
                decideUndecided(Status.FAILED, envelope.refusal());
                return result(true);
            }
            return result(transact(envelope));
        } catch (WireException e) {
            decideUndecided(Status.DEFERRED, RemoteReply.none(e.getMessage()));
            return result(false);
        } catch (IOException e) {
            decideUndecided(Status.DEFERRED, RemoteReply.none("cannot read the queued message: " + e.getMessage()));
            return result(false);
        }
    }

    /** @return whether the session is clean afterwards */
    private boolean transact(Envelope envelope) throws WireException, IOException {
        boolean chunking = caps.chunking();
        Reply mail;
        Reply data = null;
        if (caps.pipelining()) {
            // RFC 2920 3.1: MAIL and RCPT anywhere in a group, DATA only last; every reply is checked.
            List<String> group = new ArrayList<>();
            group.add(envelope.mail());
            group.addAll(envelope.rcpts());
            if (!chunking) {
                group.add("DATA");
            }
            wire.send(group);
            mail = read("the reply to MAIL FROM");
            for (int i = 0; i < outcomes.length; i++) {
                Reply rcpt = read("the reply to RCPT TO");
                if (mail.positive()) {
                    decideRcpt(i, rcpt);
                }
            }
            if (!chunking) {
                data = read("the reply to DATA");
            }
        } else {
            wire.send(List.of(envelope.mail()));
            mail = read("the reply to MAIL FROM");
            for (int i = 0; i < outcomes.length && mail.positive(); i++) {
                wire.send(List.of(envelope.rcpts().get(i)));
                decideRcpt(i, read("the reply to RCPT TO"));
            }
            if (!chunking && !accepted.isEmpty()) {
                wire.send(List.of("DATA"));
                data = read("the reply to DATA");
            }
        }
        if (!mail.positive()) {
            decideUndecided(status(mail), mail.toRemote());
        }
        if (accepted.isEmpty()) {
            if (data != null && data.code() == 354) {
                // RFC 2920 3.1: DATA accepted without a valid recipient: send a lone "." to end it.
                wire.write(new byte[] {'.', '\r', '\n'}, 3, 1, deadline.cap(timeouts.dataBlock()));
                read("the reply to the empty data");
            }
            return true;
        }
        ContentSender sender = new ContentSender(wire, timeouts.dataBlock(), deadline);
        int finalReplies = lmtp ? accepted.size() : 1;
        if (chunking) {
            ContentSender.ChunkReplies replies = sender.bdat(request.content(), finalReplies, caps.pipelining(),
                    timeouts.command(), timeouts.dataEnd());
            if (replies.chunkFailure() != null) {
                decideUndecided(status(replies.chunkFailure()), replies.chunkFailure().toRemote());
            }
            for (int k = 0; k < replies.last().size(); k++) {
                decideFinal(k, replies.last().get(k));
            }
            return true;
        }
        if (data.code() != 354) {
            decideUndecided(status(data), data.toRemote());
            return true;
        }
        sender.data(request.content(), finalReplies);
        for (int k = 0; k < finalReplies; k++) {
            decideFinal(k, wire.read(deadline.cap(timeouts.dataEnd()), "the reply to the end of data"));
        }
        return true;
    }

    /**
     * The k-th reply after the data: in LMTP it decides the k-th accepted recipient, in SMTP all of them
     * (unless a failed chunk decided them already).
     */
    private void decideFinal(int k, Reply r) {
        Status status = r.positive() ? Status.DELIVERED : status(r);
        for (int i : lmtp ? List.of(accepted.get(k)) : accepted) {
            if (outcomes[i] == null) {
                decide(i, status, r.toRemote());
            }
        }
    }

    private void decideRcpt(int i, Reply rcpt) {
        if (rcpt.positive()) {
            accepted.add(i);
        } else {
            decide(i, status(rcpt), rcpt.toRemote());
        }
    }

    /** A refusal: 5yz is permanent; 4yz, and any reply that should not come here, is temporary. */
    private static Status status(Reply r) {
        return r.permanentFailure() ? Status.FAILED : Status.DEFERRED;
    }

    private Reply read(String awaiting) throws WireException {
        return wire.read(deadline.cap(timeouts.command()), awaiting);
    }

    private void decide(int i, Status status, RemoteReply reply) {
        outcomes[i] = new RecipientOutcome(request.recipients().get(i).address(), status, reply);
    }

    private void decideUndecided(Status status, RemoteReply reply) {
        for (int i = 0; i < outcomes.length; i++) {
            if (outcomes[i] == null) {
                decide(i, status, reply);
            }
        }
    }

    private Result result(boolean reusable) {
        return new Result(List.of(outcomes), reusable, caps.dsn());
    }
}
