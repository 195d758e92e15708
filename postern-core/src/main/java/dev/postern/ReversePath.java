package dev.postern;

import java.util.Optional;

/**
 * The MAIL FROM path (RFC 5321 4.1.2): a mailbox, or the null reverse-path {@code <>} used for
 * bounces.
 *
 * @param mailbox the sender's mailbox, or null for {@link #NULL}
 */
public record ReversePath(Mailbox mailbox) {

    /** The null reverse-path {@code <>} (RFC 5321 4.5.5): a bounce or other notification that must not be answered. */
    public static final ReversePath NULL = new ReversePath(null);

    /**
     * A path from a mailbox.
     *
     * @param mailbox the sender's mailbox
     * @return the path
     * @throws NullPointerException if {@code mailbox} is null (use {@link #NULL})
     */
    public static ReversePath of(Mailbox mailbox) {
        return new ReversePath(java.util.Objects.requireNonNull(mailbox, "mailbox"));
    }

    /**
     * Whether this is the null reverse-path {@code <>}.
     *
     * @return true for {@link #NULL}
     */
    public boolean isNull() {
        return mailbox == null;
    }

    /**
     * The sender's mailbox, for code that must handle the null path explicitly.
     *
     * @return the mailbox, or empty for {@link #NULL}
     */
    public Optional<Mailbox> asMailbox() {
        return Optional.ofNullable(mailbox);
    }

    /**
     * The address without angle brackets.
     *
     * @return {@code local-part@domain}, or the empty string for the null path
     */
    public String address() {
        return mailbox == null ? "" : mailbox.toString();
    }

    @Override
    public String toString() {
        return "<" + address() + ">";
    }
}
