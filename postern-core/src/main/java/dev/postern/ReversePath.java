package dev.postern;

import java.util.Optional;

/**
 * The MAIL FROM path (RFC 5321 4.1.2): a mailbox, or the null reverse-path {@code <>} used for
 * bounces.
 */
public record ReversePath(Mailbox mailbox) {

    public static final ReversePath NULL = new ReversePath(null);

    public static ReversePath of(Mailbox mailbox) {
        return new ReversePath(java.util.Objects.requireNonNull(mailbox, "mailbox"));
    }

    public boolean isNull() {
        return mailbox == null;
    }

    public Optional<Mailbox> asMailbox() {
        return Optional.ofNullable(mailbox);
    }

    /** The address without angle brackets; the empty string for the null path. */
    public String address() {
        return mailbox == null ? "" : mailbox.toString();
    }

    @Override
    public String toString() {
        return "<" + address() + ">";
    }
}
