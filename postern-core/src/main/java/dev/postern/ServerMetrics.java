package dev.postern;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one server since it was built, for monitoring ({@link SmtpServer#metrics()}). Cheap to
 * update from any thread (one {@link LongAdder} each) and read without locking; a reading is not an
 * atomic snapshot across counters, which monitoring does not need. Durations and sizes (sessions,
 * messages, hooks) are not counted here: a {@link SessionObserver} receives each one.
 */
public final class ServerMetrics {

    /** What is counted; the names are stable (they become metric names in the standalone server). */
    public enum Counter {
        /** Connections admitted (under maxConnections). */
        CONNECTIONS_ACCEPTED("SMTP connections admitted."),
        /**
         * Connections refused by maxConnections or maxConnectionsPerClient (one refused by the latter
         * was counted in {@link #CONNECTIONS_ACCEPTED} first).
         */
        CONNECTIONS_REFUSED("SMTP connections refused with 421 by the connection limits (all, or per client)."),
        /** Valid PROXY headers from trusted proxies. */
        PROXY_HEADERS_ACCEPTED("Valid PROXY headers from trusted proxies."),
        /** Trusted-proxy connections closed for a missing, late or invalid header. */
        PROXY_HEADERS_REJECTED("Trusted-proxy connections closed for a missing, late or invalid PROXY header."),
        /** TLS handshakes completed (implicit TLS and STARTTLS). */
        TLS_HANDSHAKES("TLS handshakes completed, implicit TLS and STARTTLS."),
        /** TLS handshakes that failed or timed out. */
        TLS_HANDSHAKE_FAILURES("TLS handshakes that failed or timed out."),
        /** AUTH exchanges that ended in 235. */
        AUTH_SUCCESSES("AUTH exchanges that ended in 235."),
        /** AUTH exchanges refused by the hook (535 and the like). */
        AUTH_FAILURES("AUTH exchanges refused."),
        /** Messages accepted (250 after DATA or the last BDAT). */
        MESSAGES_ACCEPTED("Messages accepted: 250 after DATA or the last BDAT."),
        /** Octets of accepted messages. */
        MESSAGE_BYTES_ACCEPTED("Octets of accepted messages."),
        /** Messages refused at their end (by a hook, size, or a storage failure). */
        MESSAGES_REJECTED("Messages refused at their end: by a hook, for their size, or for a storage failure."),
        /** Replies with a 4xx code. */
        REPLIES_4XX("Replies with a 4xx code."),
        /** Replies with a 5xx code. */
        REPLIES_5XX("Replies with a 5xx code."),
        /** Hooks that threw something other than a rejection ({@code onDisconnect} and {@code onLogEvent} aside). */
        HOOK_FAILURES("Hook calls that failed with an unexpected error."),
        /** Sessions closed by a command or data timeout, or the session deadline. */
        TIMEOUTS("Sessions closed by a command or data timeout, or by the session deadline.");

        private final String description;

        Counter(String description) {
            this.description = description;
        }

        /**
         * What the counter counts, in one sentence, for a metric's help text.
         *
         * @return a sentence without line breaks or backslashes
         */
        public String description() {
            return description;
        }
    }

    private final LongAdder[] counters = new LongAdder[Counter.values().length];

    /** Counters all at zero; a server makes its own (see {@link SmtpServer#metrics()}). */
    public ServerMetrics() {
        for (int i = 0; i < counters.length; i++) {
            counters[i] = new LongAdder();
        }
    }

    /**
     * Adds one to a counter.
     *
     * @param c the counter
     */
    public void increment(Counter c) {
        counters[c.ordinal()].increment();
    }

    /**
     * Adds an amount to a counter.
     *
     * @param c the counter
     * @param n the amount, e.g. a message's octets for {@link Counter#MESSAGE_BYTES_ACCEPTED}
     */
    public void add(Counter c, long n) {
        counters[c.ordinal()].add(n);
    }

    /**
     * A counter's current value.
     *
     * @param c the counter
     * @return its total since the server was built; updates made during the call may be missed
     */
    public long get(Counter c) {
        return counters[c.ordinal()].sum();
    }

    /**
     * Every counter with its value, in declaration order.
     *
     * @return a new map (not atomic across counters; changing it changes nothing)
     */
    public Map<Counter, Long> snapshot() {
        Map<Counter, Long> m = new LinkedHashMap<>();
        for (Counter c : Counter.values()) {
            m.put(c, get(c));
        }
        return m;
    }
}
