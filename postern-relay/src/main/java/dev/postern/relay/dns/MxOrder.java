package dev.postern.relay.dns;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * The order of a domain's MX hosts, RFC 5321 5.1: by preference, lowest first; hosts of equal preference
 * in random order, to spread the load. A null MX (RFC 7505) is reported, not ordered.
 */
public final class MxOrder {

    private MxOrder() {
    }

    /**
     * RFC 7505 3 forbids a null MX beside other MX records; should a domain have both, the null one is
     * ignored and the real hosts are used.
     *
     * @param records the domain's MX records
     * @return whether the domain declared that it takes no mail: every record is a null MX
     */
    public static boolean isNullMx(List<MxRecord> records) {
        return !records.isEmpty() && records.stream().allMatch(MxRecord::isNull);
    }

    /**
     * @param records the domain's MX records
     * @param random  the shuffle of equal preferences (injected so tests are repeatable)
     * @return the host names to try, in order, without duplicates and without null MX records
     */
    public static List<String> order(List<MxRecord> records, RandomGenerator random) {
        Map<Integer, List<String>> byPreference = new TreeMap<>();
        for (MxRecord r : records) {
            if (!r.isNull()) {
                byPreference.computeIfAbsent(r.preference(), k -> new ArrayList<>()).add(r.exchange().toLowerCase(Locale.ROOT));
            }
        }
        List<String> hosts = new ArrayList<>();
        for (List<String> group : byPreference.values()) {
            shuffle(group, random);
            for (String h : group) {
                if (!hosts.contains(h)) {
                    hosts.add(h);
                }
            }
        }
        return hosts;
    }

    private static void shuffle(List<String> list, RandomGenerator random) {
        for (int i = list.size() - 1; i > 0; i--) {
            Collections.swap(list, i, random.nextInt(i + 1));
        }
    }
}
