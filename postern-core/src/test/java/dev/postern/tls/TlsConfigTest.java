package dev.postern.tls;

import dev.postern.testing.TestTls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** TlsConfig's own checks: settings that could never give a working TLS layer fail when they are made. */
class TlsConfigTest {

    private static final TlsConfig.KeyMaterial KEYS = TestTls.SERVER;

    @Test
    void defaults() {
        TlsConfig c = TestTls.serverTls().build();
        assertThat(c.protocols()).containsExactly("TLSv1.3", "TLSv1.2");
        assertThat(c.cipherSuites()).isEmpty();
        assertThat(c.clientAuth()).isEqualTo(TlsConfig.ClientAuth.NONE);
        assertThat(c.clientCaFile()).isNull();
        assertThat(c.handshakeTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.reloadInterval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.sni()).isEmpty();
        assertThat(c.keys()).isEqualTo(KEYS);
    }

    @Test
    void everySettingIsKept() {
        Path ca = Path.of("ca.pem");
        TlsConfig c = TestTls.serverTls().protocols("TLSv1.3").cipherSuites(List.of("TLS_AES_128_GCM_SHA256"))
                .clientAuth(TlsConfig.ClientAuth.REQUIRE).clientCaFile(ca).handshakeTimeout(Duration.ofMillis(1))
                .reloadInterval(Duration.ZERO).sni("Mail.Example.ORG", KEYS).build();
        assertThat(c.protocols()).containsExactly("TLSv1.3");
        assertThat(c.cipherSuites()).containsExactly("TLS_AES_128_GCM_SHA256");
        assertThat(c.clientAuth()).isEqualTo(TlsConfig.ClientAuth.REQUIRE);
        assertThat(c.clientCaFile()).isEqualTo(ca);
        assertThat(c.handshakeTimeout()).isEqualTo(Duration.ofMillis(1));
        assertThat(c.reloadInterval()).isZero();
        assertThat(c.sni()).containsOnlyKeys("mail.example.org"); // case is ignored
        assertThatThrownBy(() -> c.sni().put("x.test", KEYS)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> c.protocols().add("TLSv1.2")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void anEmptyCertificateChainIsRefused() {
        assertThatThrownBy(() -> new TlsConfig.KeyMaterial(KEYS.privateKey(), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("the certificate chain is empty");
        assertThatThrownBy(() -> TlsConfig.keyMaterial(KEYS.privateKey(), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TlsConfig.KeyMaterial(null, KEYS.chain())).isInstanceOf(NullPointerException.class);
    }

    @Test
    void keySourcesNeedTheirParts() {
        assertThatThrownBy(() -> new TlsConfig.PemFiles(null, Path.of("k.pem"), null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new TlsConfig.PemFiles(Path.of("c.pem"), null, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(TlsConfig::selfSigned).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one name");
        assertThat(TlsConfig.pem(Path.of("c.pem"), Path.of("k.pem")).build().keys())
                .isEqualTo(new TlsConfig.PemFiles(Path.of("c.pem"), Path.of("k.pem"), null));
        assertThat(TlsConfig.selfSigned("a.test", "b.test").build().keys())
                .isEqualTo(new TlsConfig.SelfSigned(List.of("a.test", "b.test")));
    }

    @ParameterizedTest(name = "SNI name \"{0}\"")
    @ValueSource(strings = {"", "*", "*.", ".example.org", "example.org.", "*.*.example.org", "mail.*.org", "**.example.org",
            "*.example.", "*..example.org"})
    void aBadSniNameIsRefused(String name) {
        assertThatThrownBy(() -> TestTls.serverTls().sni(name, KEYS).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad SNI host name '" + name + "'");
    }

    @ParameterizedTest(name = "SNI name \"{0}\"")
    @ValueSource(strings = {"mail.example.org", "*.example.org", "localhost", "x", "*.x"})
    void aGoodSniNameIsKept(String name) {
        assertThat(TestTls.serverTls().sni(name, KEYS).build().sni()).containsOnlyKeys(name);
    }

    @Test
    void anSniNameListedTwiceIsRefusedWhateverItsCase() {
        assertThatThrownBy(() -> new TlsConfig(KEYS, List.of("TLSv1.3"), List.of(), TlsConfig.ClientAuth.NONE, null,
                Duration.ofSeconds(1), Duration.ZERO, Map.of("mail.example.org", KEYS, "MAIL.example.org", KEYS)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("listed twice");
        assertThatThrownBy(() -> TestTls.serverTls().sni("mail.example.org", null).build())
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void protocolsMustBeTlsVersions() {
        assertThatThrownBy(() -> TestTls.serverTls().protocols().build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one TLS protocol");
        for (String bad : new String[] {"SSLv3", "tlsv1.3", "DTLSv1.2", ""}) {
            assertThatThrownBy(() -> TestTls.serverTls().protocols("TLSv1.3", bad).build()).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown TLS protocol version '" + bad + "'");
        }
    }

    @Test
    void timesMustMakeSense() {
        assertThatThrownBy(() -> TestTls.serverTls().handshakeTimeout(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("handshakeTimeout must be positive");
        assertThatThrownBy(() -> TestTls.serverTls().handshakeTimeout(Duration.ofMillis(-1)).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TestTls.serverTls().handshakeTimeout(null).build()).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> TestTls.serverTls().reloadInterval(Duration.ofMillis(-1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reloadInterval must not be negative");
        assertThatThrownBy(() -> TestTls.serverTls().reloadInterval(null).build()).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> TestTls.serverTls().clientAuth(null).build()).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> TlsConfig.builder(null).build()).isInstanceOf(NullPointerException.class);
    }

    @Test
    void tlsInfoDescribesTheSession() {
        TlsInfo anonymous = new TlsInfo("TLSv1.3", "TLS_AES_128_GCM_SHA256", List.of(), null, false);
        assertThat(anonymous.peerSubject()).isEmpty();
        assertThat(anonymous.requestedServerName()).isEmpty();
        assertThat(anonymous).hasToString("TLSv1.3 with cipher TLS_AES_128_GCM_SHA256");
        TlsInfo client = new TlsInfo("TLSv1.2", "X", List.of(KEYS.chain().getFirst()), "mx.test", true);
        assertThat(client.peerSubject()).contains("CN=mx.test");
        assertThat(client.requestedServerName()).contains("mx.test");
        assertThat(client).hasToString("TLSv1.2 with cipher X, client CN=mx.test");
    }
}
