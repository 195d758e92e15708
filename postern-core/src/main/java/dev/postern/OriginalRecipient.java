package dev.postern;

import java.util.Objects;

/**
 * RFC 3461 4.2 ORCPT on RCPT TO: the recipient's address as the original sender gave it, before any
 * forwarding, to be named in delivery status notifications.
 *
 * @param addressType the address type, e.g. {@code rfc822} (or {@code utf-8}, RFC 6533)
 * @param address     the address, xtext-decoded
 */
public record OriginalRecipient(String addressType, String address) {

    /** RFC 3461 4.2: an ORCPT value is at most 500 characters. */
    public static final int MAX_LENGTH = 500;

    /**
     * Validates the record.
     *
     * @throws NullPointerException if a component is null
     */
    public OriginalRecipient {
        Objects.requireNonNull(addressType, "addressType");
        Objects.requireNonNull(address, "address");
    }

    /**
     * Parses an ORCPT value: {@code addr-type ";" xtext}, where the address type is an atom.
     *
     * @param value the parameter value, e.g. {@code rfc822;bob+2Bdsn@example.org}
     * @return the original recipient
     * @throws IllegalArgumentException if the value is longer than {@link #MAX_LENGTH}, has no ';', an
     *                                  address type that is not an atom, or an empty or malformed xtext
     * @throws NullPointerException     if {@code value} is null
     */
    public static OriginalRecipient parse(String value) {
        if (value.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("ORCPT is longer than " + MAX_LENGTH + " characters");
        }
        int semicolon = value.indexOf(';');
        if (semicolon <= 0 || semicolon == value.length() - 1) {
            throw new IllegalArgumentException("ORCPT must be addr-type;address");
        }
        String type = value.substring(0, semicolon);
        for (int i = 0; i < type.length(); i++) {
            char c = type.charAt(i);
            // RFC 5322 atext
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-/=?^_`{|}~".indexOf(c) >= 0)) {
                throw new IllegalArgumentException("ORCPT address type must be an atom: " + type);
            }
        }
        return new OriginalRecipient(type, Xtext.decode(value.substring(semicolon + 1)));
    }

    /**
     * The value as written in ORCPT.
     *
     * @return {@code addressType;xtext(address)}
     */
    public String toParameter() {
        return addressType + ";" + Xtext.encode(address);
    }
}
