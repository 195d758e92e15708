package dev.postern;

import java.util.Objects;

/**
 * An RFC 5321 4.1.2 Mailbox: {@code Local-part "@" ( Domain / address-literal )}.
 * The local part is kept exactly as received (including quotes, if it was a Quoted-string);
 * the domain is kept as received (case is not changed).
 */
public record Mailbox(String localPart, String domain) {

    public Mailbox {
        Objects.requireNonNull(localPart, "localPart");
        Objects.requireNonNull(domain, "domain");
    }

    /** Whether any character is outside US-ASCII (needs SMTPUTF8, RFC 6531). */
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
