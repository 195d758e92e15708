package dev.postern.relay.client;

import java.time.Duration;
import java.util.Objects;

/**
 * Every wait of an outbound attempt. The defaults follow RFC 5321 4.5.3.2 where it gives a value.
 *
 * @param connect     one TCP connection to one address, including every SOCKS5 proxy tried for it
 *                    (default 30 s; Exim's "overall connection" timeout that bounds the proxy attempts); it
 *                    also bounds each DNS lookup, the wait for a free connection slot of the route, and
 *                    the RSET that checks a pooled session before reuse
 * @param greeting    the server's 220 greeting (default 5 min, RFC 5321 4.5.3.2.1)
 * @param command     the reply to each command: EHLO, STARTTLS and the TLS handshake, AUTH, MAIL, RCPT,
 *                    DATA, RSET (default 5 min, RFC 5321 4.5.3.2.2 to 4.5.3.2.4)
 * @param dataBlock   writing each block of the message, a slow reader's back-pressure (default 3 min,
 *                    RFC 5321 4.5.3.2.5)
 * @param dataEnd     the reply after the end of the message (default 10 min, RFC 5321 4.5.3.2.6)
 * @param transaction the whole attempt from its start, DNS lookups and every host tried included
 *                    (default 30 min): no attempt outlives it
 */
public record RelayTimeouts(Duration connect, Duration greeting, Duration command, Duration dataBlock,
                            Duration dataEnd, Duration transaction) {

    /** The defaults. */
    public static final RelayTimeouts DEFAULTS = new RelayTimeouts(Duration.ofSeconds(30), Duration.ofMinutes(5),
            Duration.ofMinutes(5), Duration.ofMinutes(3), Duration.ofMinutes(10), Duration.ofMinutes(30));

    /** Validates: every bound is positive. */
    public RelayTimeouts {
        positive("connect", connect);
        positive("greeting", greeting);
        positive("command", command);
        positive("dataBlock", dataBlock);
        positive("dataEnd", dataEnd);
        positive("transaction", transaction);
    }

    private static void positive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " timeout must be positive: " + d);
        }
    }
}
