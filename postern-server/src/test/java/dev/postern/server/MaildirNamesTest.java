package dev.postern.server;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

class MaildirNamesTest {

    private static final Clock FROZEN = Clock.fixed(Instant.parse("2024-05-01T10:00:00.123456789Z"), ZoneOffset.UTC);

    @Test
    void nameHasTheModernMaildirForm() {
        MaildirNames names = new MaildirNames("mx.example.org", FROZEN, 4242, 0x1234abcdL);
        assertThat(names.next()).isEqualTo("1714557600.M123456P4242R000000001234abcdQ1.mx.example.org");
        assertThat(names.next()).isEqualTo("1714557600.M123456P4242R000000001234abcdQ2.mx.example.org");
    }

    @Test
    void aProcessNamesWithItsOwnPidAndSixteenRandomHexDigits() {
        String name = new MaildirNames("mx.example.org", FROZEN).next();
        long pid = ProcessHandle.current().pid();
        assertThat(name).matches("1714557600\\.M123456P" + pid + "R[0-9a-f]{16}Q1\\.mx\\.example\\.org");
    }

    /**
     * Two replicas that share a Maildir and a host name, both process 1 in their containers, delivering in the same
     * microsecond: only the random part tells their names apart (it would fail once in 2^64 runs).
     */
    @Test
    void twoProcessesWithTheSamePidHostAndClockStillNameApart() {
        String first = new MaildirNames("mx", FROZEN, 1, new java.security.SecureRandom().nextLong()).next();
        assertThat(new MaildirNames("mx", FROZEN).next()).isNotEqualTo(new MaildirNames("mx", FROZEN).next());
        assertThat(first).contains("P1R").endsWith("Q1.mx");
    }

    @Test
    void namesAreUniqueAcrossThreadsEvenWithinOneMicrosecond() throws InterruptedException {
        MaildirNames names = new MaildirNames("mx", FROZEN);
        Set<String> seen = ConcurrentHashMap.newKeySet();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 10_000; i++) {
                    seen.add(names.next());
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(seen).hasSize(80_000);
    }

    @Test
    void slashAndColonInTheHostAreEscapedAsTheSpecSays() {
        assertThat(MaildirNames.escapeHost("a/b:c")).isEqualTo("a\\057b\\072c");
        assertThat(new MaildirNames("a/b:c", FROZEN).next()).doesNotContain("/").doesNotContain(":");
    }
}
