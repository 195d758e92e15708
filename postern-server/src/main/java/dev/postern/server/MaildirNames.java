package dev.postern.server;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Unique Maildir file names in the modern form of the Maildir specification
 * (https://cr.yp.to/proto/maildir.html): {@code SECONDS.M<micros>P<pid>R<random>Q<seq>.HOST}. The
 * sequence number separates deliveries (and threads) within one process. The process id alone does
 * not separate processes: replicas in containers that share a Maildir volume and a host name are
 * often all process 1. So each instance also draws 64 random bits once ({@code R}, the spec's
 * "cryptographically random number"), which two processes share with a chance of about 2<sup>-64</sup>.
 * Even then {@link MaildirStore} never overwrites: it creates and links without replacing, and takes
 * the next name on a collision.
 */
final class MaildirNames {

    private final Clock clock;
    private final long pid;
    private final String random;
    private final String host;
    private final AtomicLong sequence = new AtomicLong();

    MaildirNames(String hostname, Clock clock) {
        this(hostname, clock, ProcessHandle.current().pid(), new SecureRandom().nextLong());
    }

    /** With a given process id and random part: tests use it to make two processes' names collide. */
    MaildirNames(String hostname, Clock clock, long pid, long random) {
        this.clock = clock;
        this.pid = pid;
        this.random = HexFormat.of().toHexDigits(random);
        this.host = escapeHost(hostname);
    }

    String next() {
        Instant now = clock.instant();
        return now.getEpochSecond() + ".M" + now.getNano() / 1000 + "P" + pid + "R" + random + "Q" + sequence.incrementAndGet()
                + "." + host;
    }

    /** The specification's escapes, so the host can neither make a path nor look like the ":2,FLAGS" info. */
    static String escapeHost(String hostname) {
        return hostname.replace("/", "\\057").replace(":", "\\072");
    }
}
