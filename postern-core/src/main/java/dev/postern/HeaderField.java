package dev.postern;

/**
 * One message header field (RFC 5322 2.2): its name and its value, unfolded (CRLF before
 * folding white space removed), with leading white space of the value trimmed.
 *
 * @param name  the field name, in the case the client wrote it
 * @param value the unfolded value, without the colon and the white space after it
 */
public record HeaderField(String name, String value) {

    /**
     * Whether this field has the given name; field names are compared ignoring case.
     *
     * @param otherName a field name, e.g. {@code "Received"}
     * @return true if the names are equal ignoring case
     */
    public boolean is(String otherName) {
        return name.equalsIgnoreCase(otherName);
    }

    @Override
    public String toString() {
        return name + ": " + value;
    }
}
