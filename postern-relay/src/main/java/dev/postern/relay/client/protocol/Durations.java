package dev.postern.relay.client.protocol;

import java.time.Duration;

/** Durations as log lines and reply texts show them: {@code 30 s}, {@code 250 ms}, {@code 10 min}. */
public final class Durations {

    private Durations() {
    }

    /**
     * @param d a duration
     * @return it in the largest whole unit
     */
    public static String text(Duration d) {
        long ms = d.toMillis();
        if (ms % 60_000 == 0 && ms > 0) {
            return ms / 60_000 + " min";
        }
        if (ms % 1000 == 0 && ms > 0) {
            return ms / 1000 + " s";
        }
        return ms + " ms";
    }
}
