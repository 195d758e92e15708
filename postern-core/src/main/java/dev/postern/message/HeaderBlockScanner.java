package dev.postern.message;

import dev.postern.HeaderField;
import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Watches the start of the content to find where the header block ends (RFC 5322 2.1: the first
 * empty line, or the first line that is not a header field), bounded by {@code maxHeaderBytes}.
 * Keeps its own copy of the header bytes, so it never has to read the spool back.
 */
public final class HeaderBlockScanner {

    private final int maxHeaderBytes;
    private byte[] buffer = new byte[1024];
    private int length;
    private int lineStart;
    private int scanned;
    private boolean inField;
    private int headerEnd = -1;
    private boolean tooLarge;

    public HeaderBlockScanner(int maxHeaderBytes) {
        this.maxHeaderBytes = maxHeaderBytes;
    }

    /** Whether the end of the header block has been found (or given up on). */
    public boolean isComplete() {
        return headerEnd >= 0 || tooLarge;
    }

    /** Whether the header block grew past the bound without ending. */
    public boolean isTooLarge() {
        return tooLarge;
    }

    /** Offset in the content where the header block ends (before the empty line); valid once complete. */
    public int headerEnd() {
        return headerEnd;
    }

    /** Feeds content; returns true when this call completed the header block. */
    public boolean feed(ByteBuf buf, int index, int len) {
        if (isComplete()) {
            return false;
        }
        int take = Math.min(len, maxHeaderBytes + 2 - length);
        ensure(length + take);
        buf.getBytes(index, buffer, length, take);
        length += take;
        return scan();
    }

    public boolean feed(byte[] bytes) {
        if (isComplete()) {
            return false;
        }
        int take = Math.min(bytes.length, maxHeaderBytes + 2 - length);
        ensure(length + take);
        System.arraycopy(bytes, 0, buffer, length, take);
        length += take;
        return scan();
    }

    /** The content ended: whatever was received is the header block, if it did not end before. */
    public void finish() {
        if (!isComplete()) {
            // a last line without a line end still counts when it looks like a field
            headerEnd = (lineStart < length && !isFieldStart(lineStart, length) && !isContinuation(lineStart))
                    ? lineStart : length;
        }
    }

    /** The header fields, unfolded; call once complete. */
    public List<HeaderField> fields() {
        int end = headerEnd >= 0 ? headerEnd : Math.min(length, maxHeaderBytes);
        List<HeaderField> fields = new ArrayList<>();
        String text = new String(buffer, 0, end, StandardCharsets.UTF_8);
        String name = null;
        StringBuilder value = new StringBuilder();
        for (String line : text.split("\r?\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            char first = line.charAt(0);
            if ((first == ' ' || first == '\t') && name != null) {
                value.append(line); // RFC 5322 2.2.3: unfolding removes only the CRLF
            } else {
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    continue;
                }
                if (name != null) {
                    fields.add(new HeaderField(name, value.toString().strip()));
                }
                name = line.substring(0, colon).strip();
                value.setLength(0);
                value.append(line, colon + 1, line.length());
            }
        }
        if (name != null) {
            fields.add(new HeaderField(name, value.toString().strip()));
        }
        return fields;
    }

    private boolean scan() {
        while (scanned < length) {
            int lf = -1;
            for (int i = scanned; i < length; i++) {
                if (buffer[i] == '\n') {
                    lf = i;
                    break;
                }
            }
            if (lf < 0) {
                scanned = length;
                break;
            }
            int contentEnd = lf > lineStart && buffer[lf - 1] == '\r' ? lf - 1 : lf;
            if (contentEnd == lineStart) {
                headerEnd = lineStart; // the empty line separating header and body
                return true;
            }
            if (isContinuation(lineStart)) {
                if (!inField) {
                    headerEnd = lineStart;
                    return true;
                }
            } else if (isFieldStart(lineStart, contentEnd)) {
                inField = true;
            } else {
                headerEnd = lineStart; // a body line without an empty line before it
                return true;
            }
            lineStart = lf + 1;
            scanned = lf + 1;
        }
        if (length > maxHeaderBytes) {
            tooLarge = true;
            return true;
        }
        return false;
    }

    private boolean isContinuation(int at) {
        return buffer[at] == ' ' || buffer[at] == '\t';
    }

    // RFC 5322 3.6.8: field-name = 1*ftext, ftext = %d33-57 / %d59-126, then ":".
    private boolean isFieldStart(int from, int to) {
        for (int i = from; i < to; i++) {
            byte b = buffer[i];
            if (b == ':') {
                return i > from;
            }
            if (b < 33 || b > 126) {
                // tolerate white space between name and colon (RFC 5322 4.5.2 obsolete syntax)
                if (b == ' ' || b == '\t') {
                    for (int j = i; j < to; j++) {
                        if (buffer[j] == ':') {
                            return j > from && onlySpace(i, j);
                        }
                    }
                }
                return false;
            }
        }
        return false;
    }

    private boolean onlySpace(int from, int to) {
        for (int i = from; i < to; i++) {
            if (buffer[i] != ' ' && buffer[i] != '\t') {
                return false;
            }
        }
        return true;
    }

    private void ensure(int needed) {
        if (needed > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(needed, buffer.length * 2));
        }
    }
}
