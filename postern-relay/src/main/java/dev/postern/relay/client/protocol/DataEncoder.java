package dev.postern.relay.client.protocol;

/**
 * Turns message octets into what goes on the wire after DATA or in BDAT chunks. Line endings become CRLF
 * (RFC 5321 2.3.8: CR and LF only occur together; a bare CR or LF, which a server may read as a line end,
 * would otherwise let a crafted message end the data early: "SMTP smuggling"). For DATA, a line starting
 * with a period gets a second one (RFC 5321 4.5.2) and the data ends with CRLF.CRLF (4.1.1.4), after a
 * CRLF added when the message does not end with one. State carries across calls, so content can stream.
 */
public final class DataEncoder {

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte DOT = '.';

    private final boolean dotStuff;
    private boolean lineStart = true;
    private boolean pendingCr;

    /**
     * @param dotStuff true for DATA, false for BDAT (RFC 3030 2: chunks are not dot-stuffed)
     */
    public DataEncoder(boolean dotStuff) {
        this.dotStuff = dotStuff;
    }

    /**
     * The room {@link #encode} and {@link #finish} need for {@code length} input octets: each octet gives
     * at most two.
     *
     * @param length input octets
     * @return output octets at most
     */
    public static int maxOutput(int length) {
        return 2 * length + 5;
    }

    /**
     * Encodes a block.
     *
     * @param in     input
     * @param off    start in {@code in}
     * @param len    octets to take
     * @param out    output, with room for {@link #maxOutput(int)} octets from {@code outOff}
     * @param outOff start in {@code out}
     * @return the new end in {@code out}
     */
    public int encode(byte[] in, int off, int len, byte[] out, int outOff) {
        int o = outOff;
        for (int i = off; i < off + len; i++) {
            byte b = in[i];
            if (pendingCr) {
                pendingCr = false;
                o = lineEnd(out, o);
                if (b == LF) {
                    continue;
                }
            }
            if (b == CR) {
                pendingCr = true;
            } else if (b == LF) {
                o = lineEnd(out, o);
            } else {
                if (lineStart && dotStuff && b == DOT) {
                    out[o++] = DOT;
                }
                out[o++] = b;
                lineStart = false;
            }
        }
        return o;
    }

    /**
     * Ends the content: the last line gets its CRLF, and DATA its terminating period line.
     *
     * @param out    output, with room for 5 octets from {@code outOff}
     * @param outOff start in {@code out}
     * @return the new end in {@code out}
     */
    public int finish(byte[] out, int outOff) {
        int o = outOff;
        if (pendingCr || !lineStart) {
            pendingCr = false;
            o = lineEnd(out, o);
        }
        if (dotStuff) {
            out[o++] = DOT;
            o = lineEnd(out, o);
        }
        return o;
    }

    private int lineEnd(byte[] out, int o) {
        out[o] = CR;
        out[o + 1] = LF;
        lineStart = true;
        return o + 2;
    }
}
