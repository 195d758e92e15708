package dev.postern.server.admin;

import dev.postern.relay.queue.QueuedMessage;
import dev.postern.relay.queue.RecipientState;

import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Which queued messages a listing shows: by sender, by recipient domain and by state, each optional, all
 * of them applying together. One class for the command line and the admin API, so that
 * {@code postern queue list --sender X} and {@code GET /admin/api/queue?sender=X} agree.
 *
 * @param sender the sender's address, case-insensitively, or null for any ({@code <>} or the empty string
 *               for the null sender)
 * @param domain a recipient domain (any recipient's), case-insensitively, or null for any
 * @param state  pending, deferred, delivered, failed or held (any recipient's), or null for any
 */
public record QueueFilter(String sender, String domain, String state) implements Predicate<QueuedMessage> {

    /** The states a filter can ask for: the recipients' statuses, and held. */
    public static final Set<String> STATES = Set.of("pending", "deferred", "delivered", "failed", "held");

    /** Nothing filtered out. */
    public static final QueueFilter ALL = new QueueFilter(null, null, null);

    /** Validates and normalizes. */
    public QueueFilter {
        if (sender != null) {
            sender = sender.strip();
            if (sender.equals("<>")) {
                sender = "";
            }
        }
        if (domain != null) {
            domain = domain.strip().toLowerCase(Locale.ROOT);
            if (domain.endsWith(".")) {
                domain = domain.substring(0, domain.length() - 1);
            }
            if (domain.isEmpty()) {
                throw new IllegalArgumentException("the recipient domain must not be empty");
            }
        }
        if (state != null) {
            state = state.strip().toLowerCase(Locale.ROOT);
            if (!STATES.contains(state)) {
                throw new IllegalArgumentException("unknown state '" + state + "': pending, deferred, delivered, failed or held");
            }
        }
    }

    @Override
    public boolean test(QueuedMessage m) {
        return (sender == null || m.sender().equalsIgnoreCase(sender))
                && (domain == null || m.recipients().stream().anyMatch(r -> r.domain().equals(domain)))
                && (state == null || m.recipients().stream().anyMatch(this::inState));
    }

    private boolean inState(RecipientState r) {
        return state.equals("held") ? r.held() : r.status().name().toLowerCase(Locale.ROOT).equals(state);
    }
}
