package dev.postern.examples.allowlist;

import dev.postern.ForwardPath;
import dev.postern.MailParameters;
import dev.postern.SmtpHandler;
import dev.postern.SmtpRejection;
import dev.postern.SmtpSession;

import java.util.Locale;
import java.util.Set;

/**
 * Refuses, at RCPT, every recipient that is neither a listed address nor in a listed domain. The bare
 * {@code <Postmaster>} is always accepted (RFC 5321 4.5.1). Addresses compare without regard to case.
 */
final class AllowListHandler implements SmtpHandler {

    private final Set<String> addresses;
    private final Set<String> domains;
    private final String refusal;

    AllowListHandler(Set<String> addresses, Set<String> domains, String refusal) {
        this.addresses = Set.copyOf(addresses);
        this.domains = Set.copyOf(domains);
        this.refusal = refusal;
    }

    @Override
    public ForwardPath onRcptTo(SmtpSession session, ForwardPath to, MailParameters parameters) {
        if (to.isPostmaster()) {
            return to;
        }
        String address = to.address().toLowerCase(Locale.ROOT);
        String domain = to.mailbox().domain().toLowerCase(Locale.ROOT);
        if (addresses.contains(address) || domains.contains(domain)) {
            return to;
        }
        throw SmtpRejection.of(550, "5.7.1", to + ": " + refusal);
    }

    /** A set lookup: it never blocks, so it costs no thread hop of its own. */
    @Override
    public boolean isNonBlocking() {
        return true;
    }
}
