package dev.postern.testing;

import dev.postern.proxy.Tlv;

import java.util.Base64;

/** PROXY headers that several tests decode: the specification's examples and real proxies' samples. */
public final class ProxyHeaderSamples {

    private ProxyHeaderSamples() {
    }

    /** The example line of the HAProxy spec, section 2.1. */
    public static final String SPEC_V1_EXAMPLE = "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n";

    /**
     * A v2 header with CRC32C, AUTHORITY, UNIQUE_ID and SSL (version, key alg, sig alg, cipher) entries,
     * from aiosmtpd's test suite (TEST_V2_DATA1_EXACT). Its checksum 0x54FDC6FF was confirmed with an
     * independent bitwise CRC-32C, so it also pins the byte order of ours.
     */
    public static final byte[] AIOSMTPD_V2 = Base64.getDecoder().decode(
            "DQoNCgANClFVSVQKIREAcn8AAAF/AAABsFJipQMABFT9xv8CAAlBVVRIT1JJVFkFAAlVTklRVUVf"
            + "SUQgAEQBAAAAACEAB1RMU3YxLjIlAAdSU0E0MDk2JAAKUlNBLVNIQTI1NiMAG0VDREhFLVJTQS1B"
            + "RVMyNTYtR0NNLVNIQTM4NA==");

    /** A v2 header with one of every TLV type Postern names, and a custom one. */
    public static V2Header everyTlv() {
        return V2Header.tcp4("192.0.2.1", 4711, "198.51.100.2", 25)
                .tlv(Tlv.ALPN, "smtp")
                .tlv(Tlv.AUTHORITY, "mx.example.com")
                .tlv(Tlv.UNIQUE_ID, new byte[] {1, 2, 3, 4})
                .tlv(Tlv.SSL, V2Header.sslValue(0x07, 0,
                        V2Header.subTlv(0x21, "TLSv1.3"), V2Header.subTlv(0x22, "client.example"),
                        V2Header.subTlv(0x23, "TLS_AES_256_GCM_SHA384"), V2Header.subTlv(0x24, "RSA-SHA256"),
                        V2Header.subTlv(0x25, "RSA2048")))
                .tlv(Tlv.NETNS, "blue")
                .tlv(0xE0, "tenant-42");
    }
}
