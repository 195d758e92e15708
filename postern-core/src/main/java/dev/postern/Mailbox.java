package dev.postern;

import java.util.Objects;

/**
 * An RFC 5321 4.1.2 Mailbox: {@code Local-part "@" ( Domain / address-literal )}.
 * The local part is kept exactly as received (including quotes, if it was a Quoted-string);
 * the domain is kept as received (case is not changed).
 *
 * @param localPart the part before the last {@code @}, e.g. {@code john.doe} or {@code "john doe"}
 * @param domain    a domain name or an address literal in brackets, e.g. {@code [192.0.2.1]}
 */
public record Mailbox(String localPart, String domain) {

    /**
     * Checks that both parts are present; their syntax is not checked here.
     *
     * @throws NullPointerException if either part is null
     */
    public Mailbox {
        Objects.requireNonNull(localPart, "localPart");
        Objects.requireNonNull(domain, "domain");
    }

    /**
     * Whether any character is outside US-ASCII, so that using the address needs SMTPUTF8 (RFC 6531).
     *
     * @return true if the local part or the domain has a non-ASCII character
     */
    public boolean isInternationalized() {
        return !isAscii(localPart) || !isAscii(domain);
    }

    static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return localPart + "@" + domain;
    }
}
