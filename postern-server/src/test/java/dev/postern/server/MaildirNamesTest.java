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
        String name = new MaildirNames("mx.example.org", FROZEN).next();
        long pid = ProcessHandle.current().pid();
        assertThat(name).isEqualTo("1714557600.M123456P" + pid + "Q1.mx.example.org");
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
