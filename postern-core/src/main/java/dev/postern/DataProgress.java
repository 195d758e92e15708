package dev.postern;

import java.time.Duration;
import java.util.Objects;

/**
 * What {@link SmtpHandler#onDataReceiving} decides while a message's content arrives: go on, slow the
 * client down (a tarpit), or reject the message.
 */
public sealed interface DataProgress {

    /** Go on reading. */
    record Continue() implements DataProgress {
    }

    /**
     * Stop reading from the client for {@code delay}, then go on. The connection is paused (the server
     * stops reading and the client's sends back up into its TCP window); no thread waits, and the
     * data timeout does not run meanwhile.
     *
     * @param delay a positive duration, at most {@link #MAX_TARPIT}
     */
    record Tarpit(Duration delay) implements DataProgress {
        /**
         * Checks the delay.
         *
         * @throws NullPointerException     if {@code delay} is null
         * @throws IllegalArgumentException if it is not positive or longer than {@link #MAX_TARPIT}
         */
        public Tarpit {
            Objects.requireNonNull(delay, "delay");
            if (delay.isNegative() || delay.isZero() || delay.compareTo(MAX_TARPIT) > 0) {
                throw new IllegalArgumentException("a tarpit delay must be positive and at most " + MAX_TARPIT + ": " + delay);
            }
        }
    }

    /**
     * Reject the message. A reply that closes the connection ({@code 421}, or
     * {@link SmtpReply#andClose()}) is sent at once and the connection is closed; any other is sent
     * once the client has finished sending the content (SMTP has no way to interrupt DATA), the
     * content is dropped and {@link SmtpHandler#onMessage} is not called.
     *
     * @param reply the reply, usually 4xx or 5xx
     */
    record Reject(SmtpReply reply) implements DataProgress {
        /**
         * Checks that there is a reply.
         *
         * @throws NullPointerException if {@code reply} is null
         */
        public Reject {
            Objects.requireNonNull(reply, "reply");
        }
    }

    /** The longest tarpit one decision may ask for. */
    Duration MAX_TARPIT = Duration.ofMinutes(1);

    /** Go on reading; a null decision means the same. */
    Continue CONTINUE = new Continue();

    /**
     * Go on reading.
     *
     * @return {@link #CONTINUE}
     */
    static DataProgress proceed() {
        return CONTINUE;
    }

    /**
     * Pause reading for {@code delay}, then go on.
     *
     * @param delay a positive duration, at most {@link #MAX_TARPIT}
     * @return the decision
     * @throws IllegalArgumentException if {@code delay} is not positive or too long
     */
    static DataProgress tarpit(Duration delay) {
        return new Tarpit(delay);
    }

    /**
     * Reject the message with {@code reply} (see {@link Reject} for when it is sent).
     *
     * @param reply the reply
     * @return the decision
     */
    static DataProgress reject(SmtpReply reply) {
        return new Reject(reply);
    }
}
