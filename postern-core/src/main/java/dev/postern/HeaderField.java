package dev.postern;

/**
 * One message header field (RFC 5322 2.2): its name and its value, unfolded (CRLF before
 * folding white space removed), with leading white space of the value trimmed.
 */
public record HeaderField(String name, String value) {

    public boolean is(String otherName) {
        return name.equalsIgnoreCase(otherName);
    }

    @Override
    public String toString() {
        return name + ": " + value;
    }
}
