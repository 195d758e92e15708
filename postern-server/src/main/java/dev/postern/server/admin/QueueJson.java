package dev.postern.server.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.postern.relay.RemoteReply;
import dev.postern.relay.queue.DeliveryAttempt;
import dev.postern.relay.queue.QueuedMessage;
import dev.postern.relay.queue.RecipientState;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Queued messages as JSON, the one form that the admin API sends, {@code postern queue --json} prints and
 * the admin page reads. A message is an object with an {@code id}; times are ISO-8601 instants (UTC), sizes
 * octets. Built with Jackson's tree model, so that every string is escaped by the library.
 */
public final class QueueJson {

    /** The one mapper: thread-safe once configured. */
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private QueueJson() {
    }

    /**
     * @param messages the messages
     * @param now      the time their age is counted to
     * @return a JSON array, one object per message
     */
    public static ArrayNode list(List<QueuedMessage> messages, Instant now) {
        ArrayNode array = MAPPER.createArrayNode();
        messages.forEach(m -> array.add(message(m, now)));
        return array;
    }

    /**
     * @param m   a queued message
     * @param now the time its age is counted to
     * @return the message's envelope and its recipients' states, each with its {@code history}: the last
     *         delivery attempts, oldest first ({@code time}, {@code outcome}, {@code reply}, {@code replyCode}
     *         (0 for a local error without a reply), {@code remote}, {@code proxy})
     */
    public static ObjectNode message(QueuedMessage m, Instant now) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("id", m.id());
        o.put("arrival", m.arrival().toString());
        o.put("ageSeconds", Math.max(0, Duration.between(m.arrival(), now).toSeconds()));
        o.put("size", m.size());
        o.put("sender", m.sender());
        o.put("held", m.isHeld());
        o.put("nextAttempt", m.nextAttempt().map(Instant::toString).orElse(null));
        o.put("ret", m.ret() == null ? null : m.ret().name());
        o.put("envid", m.envid());
        o.put("body", m.bodyType().name());
        o.put("smtpUtf8", m.smtpUtf8());
        ArrayNode recipients = o.putArray("recipients");
        for (RecipientState r : m.recipients()) {
            ObjectNode j = recipients.addObject();
            j.put("address", r.address());
            j.put("state", state(r));
            j.put("status", r.status().name().toLowerCase(Locale.ROOT));
            j.put("held", r.held());
            j.put("attempts", r.attempts());
            j.put("nextAttempt", r.isFinal() || r.held() ? null : r.nextAttempt().toString());
            j.put("lastAttempt", r.lastAttempt() == null ? null : r.lastAttempt().toString());
            j.put("lastReply", reply(r.lastReply()));
            j.put("remote", r.remote());
            j.put("proxy", r.proxy());
            j.put("notify", r.dsnNotify());
            j.put("orcpt", r.dsnOrcpt());
            ArrayNode history = j.putArray("history");
            for (DeliveryAttempt a : r.history()) {
                ObjectNode h = history.addObject();
                h.put("time", a.time().toString());
                h.put("outcome", a.outcome().name().toLowerCase(Locale.ROOT));
                h.put("reply", reply(a.reply()));
                h.put("replyCode", a.reply().code());
                h.put("remote", a.remote());
                h.put("proxy", a.proxy());
            }
        }
        return o;
    }

    /** @return the recipient's status, or "held" for a held one not final */
    public static String state(RecipientState r) {
        return r.held() && !r.isFinal() ? "held" : r.status().name().toLowerCase(Locale.ROOT);
    }

    /** A reply as the log writes it: {@code 451 4.3.0 text}, or the local reason without a code; null for none. */
    static String reply(RemoteReply reply) {
        if (reply == null) {
            return null;
        }
        return reply.toString();
    }
}
