package dev.postern.tls;

import org.junit.jupiter.api.Test;

import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The self-signed certificate: an ECDSA P-256 key, and each name in the right kind of subject alternative name. */
class SelfSignedTest {

    private static final int DNS = 2;
    private static final int IP = 7;

    @Test
    void namesBecomeDnsOrIpAlternativeNamesAndTheKeyIsP256() throws Exception {
        TlsConfig.KeyMaterial keys = TlsConfig.selfSigned("mx.test", "10.9.0.9", "9.9.9.9", "::1", "a1.example", "0.example")
                .build().keys() instanceof TlsConfig.SelfSigned s ? s.generate() : null;
        X509Certificate cert = keys.chain().getFirst();
        List<String> names = new ArrayList<>();
        for (List<?> n : cert.getSubjectAlternativeNames()) {
            names.add((((Integer) n.get(0)) == DNS ? "DNS " : ((Integer) n.get(0)) == IP ? "IP " : "? ") + n.get(1));
        }
        assertThat(names).hasSize(6).contains("DNS mx.test", "IP 10.9.0.9", "IP 9.9.9.9", "DNS a1.example", "DNS 0.example")
                .anyMatch(n -> n.startsWith("IP 0:0:0:0:0:0:0:1"));
        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=mx.test");
        assertThat(((ECPublicKey) cert.getPublicKey()).getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
        cert.verify(cert.getPublicKey());
        assertThat(TlsConfig.builder(keys).build().keys()).isSameAs(keys);
    }
}
