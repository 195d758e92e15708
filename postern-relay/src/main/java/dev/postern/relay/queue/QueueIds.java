package dev.postern.relay.queue;

import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Queue ids: {@code <arrival micros>-<pid>-<sequence>}, each part in base 36. The time separates
 * restarts, the pid separates processes sharing a host, the sequence separates messages within a
 * process. The queue still checks that a new id names no message on disk, for clocks that step back.
 */
final class QueueIds {

    private static final Pattern VALID = Pattern.compile("[0-9a-z]{1,13}-[0-9a-z]{1,13}-[0-9a-z]{1,13}");

    private final InstantSource clock;
    private final String pid = Long.toString(ProcessHandle.current().pid(), 36);
    private final AtomicLong sequence = new AtomicLong();

    QueueIds(InstantSource clock) {
        this.clock = clock;
    }

    String next() {
        Instant now = clock.instant();
        long micros = Math.multiplyExact(now.getEpochSecond(), 1_000_000L) + now.getNano() / 1000;
        return Long.toString(micros, 36) + "-" + pid + "-" + Long.toString(sequence.incrementAndGet(), 36);
    }

    /** Whether a file name is a queue id: anything else in the queue's directories is not a message. */
    static boolean isValid(String name) {
        return VALID.matcher(name).matches();
    }
}
