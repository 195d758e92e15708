package dev.postern.relay.client.internal;

import dev.postern.relay.RecipientOutcome.Status;
import dev.postern.relay.RemoteReply;
import dev.postern.relay.client.RelayTarget;
import dev.postern.relay.client.RelayTarget.HostAndPort;
import dev.postern.relay.dns.DnsLookup;
import dev.postern.relay.dns.MxResolver;
import io.netty.util.NetUtil;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** Route keys, and the hosts a route's deliveries try. */
final class Routes {

    /** What a route resolves to: hosts to try in order, or a decision for every recipient. */
    sealed interface Plan {
        /**
         * @param hosts    in order
         * @param implicit the domain has no MX: its own address records stand in (RFC 5321 5.1), so a
         *                 domain without them takes no mail
         */
        record Try(List<HostAndPort> hosts, boolean implicit) implements Plan {
        }

        /**
         * @param status the outcome for every recipient
         * @param reply  why
         */
        record Stop(Status status, RemoteReply reply) implements Plan {
        }
    }

    private Routes() {
    }

    /**
     * One route for every recipient of a smarthost or LMTP server; with MX delivery, the recipient's domain,
     * lower case and without a trailing dot (an address literal such as {@code [192.0.2.1]} stays as it is).
     *
     * @param target    the relay target
     * @param recipient the address
     * @return the route key; empty for an MX recipient without a domain
     */
    static String route(RelayTarget target, String recipient) {
        if (!(target instanceof RelayTarget.Mx)) {
            return target.toString();
        }
        int at = recipient.lastIndexOf('@');
        String domain = at < 0 ? "" : recipient.substring(at + 1).toLowerCase(Locale.ROOT);
        return domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
    }

    /**
     * @param target   the relay target
     * @param mxPort   the port of MX hosts
     * @param route    a route key of this target
     * @param resolver for MX lookups
     * @param bound    the longest DNS wait
     * @return the plan
     */
    static Plan plan(RelayTarget target, int mxPort, String route, MxResolver resolver, Duration bound) {
        return switch (target) {
            case RelayTarget.Smarthosts s -> new Plan.Try(s.hosts(), false);
            case RelayTarget.Lmtp l -> new Plan.Try(List.of(l.host()), false);
            case RelayTarget.Mx mx -> mxPlan(route, mxPort, resolver, bound);
        };
    }

    private static Plan mxPlan(String domain, int port, MxResolver resolver, Duration bound) {
        if (domain.isEmpty()) {
            return new Plan.Stop(Status.FAILED, RemoteReply.local("5.1.3", "the recipient address has no domain"));
        }
        // RFC 5321 5.1: an address literal is delivered to that address, without MX lookup.
        if (domain.startsWith("[") && domain.endsWith("]")) {
            String literal = domain.substring(1, domain.length() - 1);
            if (literal.regionMatches(true, 0, "IPv6:", 0, 5)) {
                literal = literal.substring(5);
            }
            if (!NetUtil.isValidIpV4Address(literal) && !NetUtil.isValidIpV6Address(literal)) {
                return new Plan.Stop(Status.FAILED, RemoteReply.local("5.1.2", "not an address literal: " + domain));
            }
            return new Plan.Try(List.of(new HostAndPort(literal, port)), false);
        }
        return switch (resolver.mxHosts(domain, bound)) {
            case DnsLookup.Hosts h -> new Plan.Try(h.hosts().stream().map(n -> new HostAndPort(n, port)).toList(), h.implicit());
            case DnsLookup.NoMail n -> new Plan.Stop(Status.FAILED, RemoteReply.local(n.enhancedStatus(), n.text()));
            case DnsLookup.Unavailable u -> new Plan.Stop(Status.DEFERRED, RemoteReply.none(u.text()));
            case DnsLookup.Addresses a -> throw new IllegalStateException("MX lookup returned addresses");
        };
    }
}
