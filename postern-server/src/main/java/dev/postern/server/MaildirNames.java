package dev.postern.server;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Unique Maildir file names in the modern form of the Maildir specification
 * (https://cr.yp.to/proto/maildir.html): {@code SECONDS.M<micros>P<pid>Q<seq>.HOST}. The process id
 * separates processes, the sequence number separates deliveries (and threads) within one process.
 */
final class MaildirNames {

    private final Clock clock;
    private final long pid = ProcessHandle.current().pid();
    private final String host;
    private final AtomicLong sequence = new AtomicLong();

    MaildirNames(String hostname, Clock clock) {
        this.clock = clock;
        this.host = escapeHost(hostname);
    }

    String next() {
        Instant now = clock.instant();
        return now.getEpochSecond() + ".M" + now.getNano() / 1000 + "P" + pid + "Q" + sequence.incrementAndGet() + "." + host;
    }

    /** The specification's escapes, so the host can neither make a path nor look like the ":2,FLAGS" info. */
    static String escapeHost(String hostname) {
        return hostname.replace("/", "\\057").replace(":", "\\072");
    }
}
