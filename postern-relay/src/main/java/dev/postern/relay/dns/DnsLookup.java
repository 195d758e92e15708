package dev.postern.relay.dns;

import java.net.InetAddress;
import java.util.List;

/** The result of a lookup: what was found, a permanent "no" (the domain takes no mail), or a temporary failure. */
public sealed interface DnsLookup {

    /**
     * Found.
     *
     * @param hosts   host names (MX hosts in order, or the domain itself when it has no MX)
     * @param implicit whether the domain had no MX and its own address records are used (RFC 5321 5.1)
     */
    record Hosts(List<String> hosts, boolean implicit) implements DnsLookup {
        /** Copies. */
        public Hosts {
            hosts = List.copyOf(hosts);
        }
    }

    /**
     * Addresses of a host, in the order to try them (IPv4 first).
     *
     * @param addresses at least one
     */
    record Addresses(List<InetAddress> addresses) implements DnsLookup {
        /** Copies. */
        public Addresses {
            addresses = List.copyOf(addresses);
        }
    }

    /**
     * The domain takes no mail: it does not exist, has a null MX, or has neither MX nor address records.
     *
     * @param enhancedStatus the RFC 3463 code for the bounce (5.1.2 bad destination, 5.1.10 null MX)
     * @param text           what was found
     */
    record NoMail(String enhancedStatus, String text) implements DnsLookup {
    }

    /**
     * The lookup failed for now (timeout, SERVFAIL, no name server): try again later.
     *
     * @param text what failed
     */
    record Unavailable(String text) implements DnsLookup {
    }
}
