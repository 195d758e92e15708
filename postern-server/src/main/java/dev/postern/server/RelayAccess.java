package dev.postern.server;

import dev.postern.ForwardPath;
import dev.postern.Mailbox;
import dev.postern.SmtpRejection;
import dev.postern.SmtpSession;
import dev.postern.proxy.CidrRange;
import dev.postern.proxy.TrustedSources;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who may relay to whom, so that Postern is never an open relay: a recipient in one of the
 * {@code --domains} is accepted from anyone; a client in the {@code --relay-networks} (by its real
 * address, after PROXY and XCLIENT) or an authenticated client may send to any domain; every other
 * recipient gets {@code 550 5.7.1 Relay access denied} at RCPT.
 *
 * <p>Domains match exactly, ignoring case and a trailing dot: {@code example.org} does not cover
 * {@code mail.example.org}, which is listed on its own if it is wanted.
 */
final class RelayAccess {

    // RFC 1123 2.1 labels: letters, digits and inner hyphens, at most 63 octets; at most 253 in all.
    private static final Pattern DOMAIN =
            Pattern.compile("(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

    private final List<String> listed;
    private final Set<String> domains;
    private final TrustedSources networks;
    /** Where {@code <Postmaster>} goes: postmaster of the first domain, or null without domains. */
    private final ForwardPath postmaster;

    /**
     * @param domains  the domains accepted from anyone, in order, each as {@link #domain} returns it
     * @param networks the clients that may relay anywhere, as {@link #networks} returns them
     */
    RelayAccess(List<String> domains, TrustedSources networks) {
        this.listed = List.copyOf(domains);
        this.domains = Set.copyOf(domains);
        this.networks = networks;
        this.postmaster = domains.isEmpty() ? null : ForwardPath.of(new Mailbox("postmaster", domains.get(0)));
    }

    /**
     * A {@code --domains} entry, normalized: lower case, without a trailing dot.
     *
     * @throws IllegalArgumentException when it is not a domain name
     */
    static String domain(String text) {
        String d = normalize(text.strip());
        if (!DOMAIN.matcher(d).matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a domain name (e.g. example.org)");
        }
        return d;
    }

    /**
     * The {@code --relay-networks}: CIDR ranges or single addresses, comma-separated.
     *
     * @throws IllegalArgumentException for a bad range, and for {@code *} or a /0 range, which would
     *                                  make an open relay
     */
    static TrustedSources networks(String text) {
        if (text.strip().equals("*")) {
            throw new IllegalArgumentException("--relay-networks '*' would let anyone relay (an open relay); list your "
                    + "own networks, e.g. 10.0.0.0/8,192.168.0.0/16");
        }
        TrustedSources parsed = TrustedSources.parse(text);
        for (CidrRange range : parsed.ranges()) {
            if (range.prefixLength() == 0) {
                throw new IllegalArgumentException("--relay-networks " + range + " would let anyone relay (an open relay); "
                        + "list your own networks");
            }
        }
        return parsed;
    }

    boolean hasDomains() {
        return !domains.isEmpty();
    }

    /**
     * The recipient as it is queued, or a rejection.
     *
     * @return {@code to}, or for {@code <Postmaster>} (RFC 5321 4.5.1: always accepted) the postmaster of
     *         the first domain, when there are domains
     * @throws SmtpRejection {@code 550 5.7.1} when the client may not relay to the recipient's domain
     */
    ForwardPath check(SmtpSession session, ForwardPath to) {
        if (to.isPostmaster() && postmaster != null) {
            return postmaster;
        }
        if (!to.isPostmaster() && domains.contains(normalize(to.mailbox().domain()))) {
            return to;
        }
        if (mayRelay(session)) {
            return to;
        }
        // Postfix's words, so that operators and their tools recognize the refusal.
        throw SmtpRejection.of(550, "5.7.1", to + ": Relay access denied");
    }

    /** Whether the client may send to any domain: it is in the relay networks, or authenticated. */
    boolean mayRelay(SmtpSession session) {
        return session.authenticatedUser().isPresent()
                || (session.remoteAddress() != null && networks.matches(session.remoteAddress().getAddress()));
    }

    private static String normalize(String domain) {
        String d = domain.toLowerCase(Locale.ROOT);
        return d.endsWith(".") ? d.substring(0, d.length() - 1) : d;
    }

    @Override
    public String toString() {
        return "domains " + (domains.isEmpty() ? "none" : String.join(",", listed))
                + ", relay networks " + (networks.ranges().isEmpty() ? "none" : networks);
    }
}
