package dev.postern;

import java.util.Objects;

/**
 * An RCPT TO path (RFC 5321 4.1.2): a mailbox, or the special {@code <Postmaster>} without a domain
 * (RFC 5321 4.5.1), which every server must accept.
 *
 * @param mailbox the recipient's mailbox, or null for {@link #POSTMASTER}
 */
public record ForwardPath(Mailbox mailbox) {

    /** {@code <Postmaster>} with no domain. */
    public static final ForwardPath POSTMASTER = new ForwardPath(null);

    /**
     * A path to a mailbox.
     *
     * @param mailbox the recipient's mailbox
     * @return the path
     * @throws NullPointerException if {@code mailbox} is null (use {@link #POSTMASTER})
     */
    public static ForwardPath of(Mailbox mailbox) {
        return new ForwardPath(Objects.requireNonNull(mailbox, "mailbox"));
    }

    /**
     * Whether this is the bare {@code <Postmaster>} path; {@code <postmaster@domain>} has a mailbox and is not.
     *
     * @return true for {@link #POSTMASTER}
     */
    public boolean isPostmaster() {
        return mailbox == null;
    }

    /**
     * The address without angle brackets.
     *
     * @return {@code local-part@domain}, or {@code Postmaster} for the bare postmaster path
     */
    public String address() {
        return mailbox == null ? "Postmaster" : mailbox.toString();
    }

    @Override
    public String toString() {
        return "<" + address() + ">";
    }
}
