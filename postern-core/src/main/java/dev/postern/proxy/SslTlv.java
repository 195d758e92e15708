package dev.postern.proxy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The PP2_TYPE_SSL entry of a PROXY v2 header: how the client reached the proxy over TLS
 * (HAProxy spec section 2.2.6).
 *
 * @param client  the PP2_CLIENT_* bit field
 * @param verify  0 when the client presented a certificate that verified, non-zero otherwise
 * @param subTlvs the nested entries (version, CN, cipher, ...), in wire order
 */
public record SslTlv(int client, int verify, List<Tlv> subTlvs) {

    /** PP2_CLIENT_SSL: the client connected over TLS. */
    public static final int CLIENT_SSL = 0x01;
    /** PP2_CLIENT_CERT_CONN: the client presented a certificate on this connection. */
    public static final int CLIENT_CERT_CONN = 0x02;
    /** PP2_CLIENT_CERT_SESS: the client presented a certificate at least once in this TLS session. */
    public static final int CLIENT_CERT_SESS = 0x04;

    /** PP2_SUBTYPE_SSL_VERSION: the TLS version, US-ASCII. */
    public static final int SUBTYPE_VERSION = 0x21;
    /** PP2_SUBTYPE_SSL_CN: the Common Name of the client certificate's subject, UTF-8. */
    public static final int SUBTYPE_CN = 0x22;
    /** PP2_SUBTYPE_SSL_CIPHER: the cipher name, US-ASCII. */
    public static final int SUBTYPE_CIPHER = 0x23;
    /** PP2_SUBTYPE_SSL_SIG_ALG: the signature algorithm of the proxy's certificate, US-ASCII. */
    public static final int SUBTYPE_SIG_ALG = 0x24;
    /** PP2_SUBTYPE_SSL_KEY_ALG: the key algorithm of the proxy's certificate, US-ASCII. */
    public static final int SUBTYPE_KEY_ALG = 0x25;

    /**
     * Validates the client byte and copies the nested entries.
     *
     * @throws IllegalArgumentException if {@code client} does not fit in one byte (0..255)
     * @throws NullPointerException     if {@code subTlvs} is null
     */
    public SslTlv {
        if (client < 0 || client > 0xff) {
            throw new IllegalArgumentException("client flags must fit in one byte: " + client);
        }
        subTlvs = List.copyOf(subTlvs);
    }

    /**
     * Reads the value of a PP2_TYPE_SSL entry: one client byte, a 4-byte verify field, then nested entries.
     *
     * @throws IllegalArgumentException when the value is shorter than 5 bytes or a nested entry is cut short
     */
    static SslTlv parse(byte[] value) {
        if (value.length < 5) {
            throw new IllegalArgumentException("SSL TLV shorter than 5 bytes: " + value.length);
        }
        int verify = ((value[1] & 0xff) << 24) | ((value[2] & 0xff) << 16) | ((value[3] & 0xff) << 8) | (value[4] & 0xff);
        List<Tlv> subs = new ArrayList<>();
        int at = 5;
        while (at < value.length) {
            if (value.length - at < 3) {
                throw new IllegalArgumentException("truncated SSL sub-TLV header at byte " + at);
            }
            int length = ((value[at + 1] & 0xff) << 8) | (value[at + 2] & 0xff);
            int start = at + 3;
            if (start + length > value.length) {
                throw new IllegalArgumentException("SSL sub-TLV overruns the SSL TLV at byte " + at);
            }
            subs.add(new Tlv(value[at] & 0xff, Arrays.copyOfRange(value, start, start + length)));
            at = start + length;
        }
        return new SslTlv(value[0] & 0xff, verify, subs);
    }

    /**
     * Whether the client connected to the proxy over TLS (PP2_CLIENT_SSL).
     *
     * @return true if the PP2_CLIENT_SSL bit is set
     */
    public boolean isSsl() {
        return (client & CLIENT_SSL) != 0;
    }

    /**
     * Whether the client presented a certificate on this connection (PP2_CLIENT_CERT_CONN).
     *
     * @return true if the PP2_CLIENT_CERT_CONN bit is set
     */
    public boolean hasCertificateOnConnection() {
        return (client & CLIENT_CERT_CONN) != 0;
    }

    /**
     * Whether the client presented a certificate in this TLS session (PP2_CLIENT_CERT_SESS).
     *
     * @return true if the PP2_CLIENT_CERT_SESS bit is set
     */
    public boolean hasCertificateInSession() {
        return (client & CLIENT_CERT_SESS) != 0;
    }

    /**
     * Whether the verify field is 0: the spec's "presented a certificate and it was successfully verified".
     *
     * @return true if {@code verify} is 0
     */
    public boolean isVerified() {
        return verify == 0;
    }

    /**
     * The TLS version, e.g. {@code TLSv1.3} (PP2_SUBTYPE_SSL_VERSION, US-ASCII).
     *
     * @return the first such entry's value, or empty
     */
    public Optional<String> version() {
        return text(SUBTYPE_VERSION);
    }

    /**
     * The Common Name of the client certificate's subject (PP2_SUBTYPE_SSL_CN, UTF-8).
     *
     * @return the first such entry's value, or empty
     */
    public Optional<String> commonName() {
        return text(SUBTYPE_CN);
    }

    /**
     * The cipher, e.g. {@code ECDHE-RSA-AES128-GCM-SHA256} (PP2_SUBTYPE_SSL_CIPHER, US-ASCII).
     *
     * @return the first such entry's value, or empty
     */
    public Optional<String> cipher() {
        return text(SUBTYPE_CIPHER);
    }

    /**
     * The signature algorithm of the proxy's certificate, e.g. {@code RSA-SHA256} (PP2_SUBTYPE_SSL_SIG_ALG).
     *
     * @return the first such entry's value, or empty
     */
    public Optional<String> signatureAlgorithm() {
        return text(SUBTYPE_SIG_ALG);
    }

    /**
     * The key algorithm of the proxy's certificate, e.g. {@code RSA2048} (PP2_SUBTYPE_SSL_KEY_ALG).
     *
     * @return the first such entry's value, or empty
     */
    public Optional<String> keyAlgorithm() {
        return text(SUBTYPE_KEY_ALG);
    }

    // The US-ASCII fields are decoded as UTF-8 too: ASCII is a subset, and CN is UTF-8 per the spec.
    private Optional<String> text(int subtype) {
        return subTlvs.stream()
                .filter(t -> t.type() == subtype)
                .findFirst()
                .map(t -> new String(t.value(), StandardCharsets.UTF_8));
    }
}
