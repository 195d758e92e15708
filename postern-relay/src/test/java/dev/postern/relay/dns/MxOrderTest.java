package dev.postern.relay.dns;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class MxOrderTest {

    @Test
    void lowestPreferenceFirst() {
        List<MxRecord> records = List.of(new MxRecord(20, "mx2.example.org"), new MxRecord(5, "MX0.example.org"),
                new MxRecord(10, "mx1.example.org"));
        assertThat(MxOrder.order(records, new Random(1))).containsExactly("mx0.example.org", "mx1.example.org", "mx2.example.org");
    }

    @Test
    void equalPreferencesAreShuffledButStayInTheirRank() {
        List<MxRecord> records = List.of(new MxRecord(10, "a"), new MxRecord(10, "b"), new MxRecord(10, "c"), new MxRecord(50, "z"));
        Random random = new Random(3);
        Set<String> firsts = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            List<String> order = MxOrder.order(records, random);
            assertThat(order).hasSize(4).endsWith("z");
            firsts.add(order.get(0));
        }
        assertThat(firsts).containsExactlyInAnyOrder("a", "b", "c");
    }

    @Test
    void duplicatesOnce() {
        assertThat(MxOrder.order(List.of(new MxRecord(10, "a"), new MxRecord(20, "A")), new Random())).containsExactly("a");
    }

    @Test
    void nullMx() {
        assertThat(MxOrder.isNullMx(List.of(new MxRecord(0, ".")))).isTrue();
        assertThat(MxOrder.isNullMx(List.of())).isFalse();
        // RFC 7505 3 forbids mixing; the real host wins.
        List<MxRecord> mixed = List.of(new MxRecord(0, "."), new MxRecord(10, "mx.example.org"));
        assertThat(MxOrder.isNullMx(mixed)).isFalse();
        assertThat(MxOrder.order(mixed, new Random())).containsExactly("mx.example.org");
    }
}
