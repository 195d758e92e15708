package dev.postern.relay.queue;

import dev.postern.relay.OutboundRecipient;
import dev.postern.relay.RemoteReply;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Where one recipient of a queued message stands.
 *
 * @param address       the recipient's address
 * @param dsnNotify     RFC 3461 NOTIFY as received, or null
 * @param dsnOrcpt      RFC 3461 ORCPT as received, or null
 * @param status        pending (not tried yet), deferred, delivered or failed
 * @param attempts      the delivery attempts made
 * @param nextAttempt   when the next attempt is due (meaningless once final)
 * @param lastAttempt   when the last attempt ended, or null
 * @param lastReply     the reply of the last attempt, or null
 * @param remote        the host of the last attempt ({@code name[address]:port}), or empty
 * @param proxy         the proxy of the last attempt ({@code PRX=[address]:port}), or empty
 * @param held          whether an operator holds it: not attempted and not expired until released
 * @param delayNotified whether the sender already got a "delayed" DSN for it (sent once)
 * @param history       its last delivery attempts, oldest first, at most {@value #HISTORY_LIMIT} (older ones
 *                      are dropped; {@code attempts} keeps counting them); empty for a state written before
 *                      Postern kept a history
 */
public record RecipientState(String address, String dsnNotify, String dsnOrcpt, Status status, int attempts,
                             Instant nextAttempt, Instant lastAttempt, RemoteReply lastReply, String remote,
                             String proxy, boolean held, boolean delayNotified, List<DeliveryAttempt> history) {

    /** How many attempts a recipient's history keeps: the most recent ones. */
    public static final int HISTORY_LIMIT = 10;

    /** A recipient's delivery status. */
    public enum Status {
        /** Not attempted yet. */
        PENDING,
        /** Attempted, failed temporarily; tried again at {@link #nextAttempt()}. */
        DEFERRED,
        /** Final: the next hop accepted it. */
        DELIVERED,
        /** Final: failed permanently, expired, or bounced by an operator. */
        FAILED
    }

    /** Validates. */
    public RecipientState {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(nextAttempt, "nextAttempt");
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(proxy, "proxy");
        history = List.copyOf(history);
        if (history.size() > HISTORY_LIMIT) {
            history = history.subList(history.size() - HISTORY_LIMIT, history.size());
        }
    }

    /**
     * A state without a delivery history, as Postern built it before it kept one.
     *
     * @param address       the recipient's address
     * @param dsnNotify     RFC 3461 NOTIFY as received, or null
     * @param dsnOrcpt      RFC 3461 ORCPT as received, or null
     * @param status        pending (not tried yet), deferred, delivered or failed
     * @param attempts      the delivery attempts made
     * @param nextAttempt   when the next attempt is due (meaningless once final)
     * @param lastAttempt   when the last attempt ended, or null
     * @param lastReply     the reply of the last attempt, or null
     * @param remote        the host of the last attempt ({@code name[address]:port}), or empty
     * @param proxy         the proxy of the last attempt ({@code PRX=[address]:port}), or empty
     * @param held          whether an operator holds it
     * @param delayNotified whether the sender already got a "delayed" DSN for it
     */
    public RecipientState(String address, String dsnNotify, String dsnOrcpt, Status status, int attempts,
                          Instant nextAttempt, Instant lastAttempt, RemoteReply lastReply, String remote, String proxy,
                          boolean held, boolean delayNotified) {
        this(address, dsnNotify, dsnOrcpt, status, attempts, nextAttempt, lastAttempt, lastReply, remote, proxy, held,
                delayNotified, List.of());
    }

    static RecipientState pending(OutboundRecipient r, Instant due) {
        return new RecipientState(r.address(), r.dsnNotify(), r.dsnOrcpt(), Status.PENDING, 0, due, null, null, "", "",
                false, false);
    }

    /** @return whether nothing more will happen to it */
    public boolean isFinal() {
        return status == Status.DELIVERED || status == Status.FAILED;
    }

    /** @return the recipient's domain, lower case, or empty for an address without one */
    public String domain() {
        int at = address.lastIndexOf('@');
        return at < 0 ? "" : address.substring(at + 1).toLowerCase(Locale.ROOT);
    }

    /**
     * Whether NOTIFY asks for a kind of notification; without NOTIFY only failures are reported
     * (RFC 3461 4.1 leaves the default to the MTA; FAILURE is the common choice).
     */
    boolean wants(String kind) {
        if (dsnNotify == null) {
            return kind.equals("FAILURE");
        }
        for (String k : dsnNotify.split(",")) {
            if (k.strip().equalsIgnoreCase(kind)) {
                return true;
            }
        }
        return false;
    }

    OutboundRecipient outbound() {
        return new OutboundRecipient(address, dsnNotify, dsnOrcpt);
    }

    RecipientState attempted(Status newStatus, RemoteReply reply, String newRemote, String newProxy, Instant now,
                             Instant next) {
        List<DeliveryAttempt> newHistory = new ArrayList<>(history.size() + 1);
        newHistory.addAll(history.size() < HISTORY_LIMIT ? history : history.subList(1, history.size()));
        newHistory.add(new DeliveryAttempt(now, newStatus, reply, newRemote, newProxy));
        return new RecipientState(address, dsnNotify, dsnOrcpt, newStatus, attempts + 1, next, now, reply, newRemote, newProxy,
                held, delayNotified, newHistory);
    }

    RecipientState failed(RemoteReply reply) {
        return new RecipientState(address, dsnNotify, dsnOrcpt, Status.FAILED, attempts, nextAttempt, lastAttempt, reply,
                remote, proxy, held, delayNotified, history);
    }

    RecipientState withHeld(boolean hold) {
        return new RecipientState(address, dsnNotify, dsnOrcpt, status, attempts, nextAttempt, lastAttempt, lastReply, remote,
                proxy, hold, delayNotified, history);
    }

    /** Released by an operator: due at once. */
    RecipientState released(Instant now) {
        return new RecipientState(address, dsnNotify, dsnOrcpt, status, attempts, now, lastAttempt, lastReply, remote,
                proxy, false, delayNotified, history);
    }

    /** Due at {@code when}, held or not: an operator's retry on a queue that no server runs. */
    RecipientState dueAt(Instant when) {
        return new RecipientState(address, dsnNotify, dsnOrcpt, status, attempts, when, lastAttempt, lastReply, remote,
                proxy, held, delayNotified, history);
    }

    RecipientState withDelayNotified() {
        return new RecipientState(address, dsnNotify, dsnOrcpt, status, attempts, nextAttempt, lastAttempt, lastReply, remote,
                proxy, held, true, history);
    }
}
