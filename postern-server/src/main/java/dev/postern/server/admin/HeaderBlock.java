package dev.postern.server.admin;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The header section of a stored message, for an operator to read: fields unfolded, in order, read up to
 * a bound so that a huge or endless header costs nothing more. Values are raw text (UTF-8, malformed bytes
 * replaced); whoever shows them escapes them.
 */
public final class HeaderBlock {

    /** The most header octets read. */
    public static final int MAX_OCTETS = 64 * 1024;
    /** The most fields kept. */
    public static final int MAX_FIELDS = 500;

    /** One header field, unfolded. */
    public record Field(String name, String value) {
    }

    /**
     * The fields and, when wanted, the start of the body.
     *
     * @param fields    the header fields, unfolded, in order
     * @param truncated whether the header went on beyond the bounds
     * @param body      the body's first octets as text, or empty
     * @param bodyCut   whether the body went on beyond what was read
     */
    public record Parsed(List<Field> fields, boolean truncated, String body, boolean bodyCut) {
    }

    private HeaderBlock() {
    }

    /**
     * Reads the header section (and up to {@code bodyOctets} of the body) from {@code in}.
     *
     * @param in         the message, from its first octet; not closed
     * @param bodyOctets how much of the body to read as text, 0 for none
     * @return what was read
     * @throws IOException when reading fails
     */
    public static Parsed read(InputStream in, int bodyOctets) throws IOException {
        byte[] head = in.readNBytes(MAX_OCTETS);
        int[] split = split(head);
        boolean truncated = split == null;
        String text = new String(head, 0, truncated ? head.length : split[0], StandardCharsets.UTF_8);
        List<Field> fields = new ArrayList<>();
        StringBuilder current = null;
        for (String line : text.split("\r?\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && current != null) {
                current.append(' ').append(line.strip());
                continue;
            }
            add(fields, current);
            current = null;
            if (fields.size() >= MAX_FIELDS) {
                truncated = true;
                break;
            }
            current = new StringBuilder(line);
        }
        add(fields, current);
        if (bodyOctets <= 0 || truncated) {
            return new Parsed(List.copyOf(fields), truncated, "", false);
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(head, split[1], Math.min(bodyOctets, head.length - split[1]));
        body.write(in.readNBytes(bodyOctets - body.size()));
        boolean bodyCut = head.length - split[1] > bodyOctets || in.read() >= 0;
        return new Parsed(List.copyOf(fields), false, body.toString(StandardCharsets.UTF_8), bodyCut);
    }

    /** The first field named {@code name}, case-insensitively, or null. */
    public static String first(Parsed parsed, String name) {
        return parsed.fields().stream().filter(f -> f.name().equalsIgnoreCase(name)).map(Field::value).findFirst().orElse(null);
    }

    private static void add(List<Field> fields, StringBuilder line) {
        if (line == null) {
            return;
        }
        int colon = line.indexOf(":");
        if (colon <= 0) {
            fields.add(new Field("", line.toString()));
        } else {
            fields.add(new Field(line.substring(0, colon).strip(), line.substring(colon + 1).strip()));
        }
    }

    /** The header's length and the body's start, or null when the header does not end within the bytes. */
    private static int[] split(byte[] b) {
        if (b.length >= 2 && b[0] == '\r' && b[1] == '\n') {
            return new int[] {0, 2};
        }
        if (b.length >= 1 && b[0] == '\n') {
            return new int[] {0, 1};
        }
        for (int i = 0; i + 1 < b.length; i++) {
            if (b[i] != '\n') {
                continue;
            }
            if (b[i + 1] == '\n') {
                return new int[] {i + 1, i + 2};
            }
            if (i + 2 < b.length && b[i + 1] == '\r' && b[i + 2] == '\n') {
                return new int[] {i + 1, i + 3};
            }
        }
        return null;
    }
}
