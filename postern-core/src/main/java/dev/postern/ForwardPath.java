package dev.postern;

import java.util.Objects;

/**
 * An RCPT TO path (RFC 5321 4.1.2): a mailbox, or the special {@code <Postmaster>} without a domain
 * (RFC 5321 4.5.1), which every server must accept.
 */
public record ForwardPath(Mailbox mailbox) {

    /** {@code <Postmaster>} with no domain. */
    public static final ForwardPath POSTMASTER = new ForwardPath(null);

    public static ForwardPath of(Mailbox mailbox) {
        return new ForwardPath(Objects.requireNonNull(mailbox, "mailbox"));
    }

    public boolean isPostmaster() {
        return mailbox == null;
    }

    /** The address without angle brackets; {@code Postmaster} for the bare postmaster path. */
    public String address() {
        return mailbox == null ? "Postmaster" : mailbox.toString();
    }

    @Override
    public String toString() {
        return "<" + address() + ">";
    }
}
