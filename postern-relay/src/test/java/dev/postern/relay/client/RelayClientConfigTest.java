package dev.postern.relay.client;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RelayClientConfigTest {

    private static RelayClientConfig.Builder smarthost() {
        return RelayClientConfig.builder().target("smtp://relay.example.org");
    }

    @Test
    void defaults() {
        RelayClientConfig c = smarthost().build();
        assertThat(c.tlsMode()).isEqualTo(TlsMode.OPPORTUNISTIC);
        assertThat(c.heloName()).isNotBlank();
        assertThat(c.socksProxies()).isEmpty();
        assertThat(c.mxPort()).isEqualTo(25);
        assertThat(c.timeouts()).isEqualTo(RelayTimeouts.DEFAULTS);
        assertThat(c.timeouts().connect()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.timeouts().greeting()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.timeouts().dataEnd()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.idleTime()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.maxConnectionsPerDestination()).isEqualTo(10);
        assertThat(c.maxConnections()).isEqualTo(100);
    }

    @Test
    void everySetting() {
        RelayClientConfig c = RelayClientConfig.builder().target("lmtp://[::1]:2003").heloName("relay.example.org")
                .tlsMode(TlsMode.VERIFY).caFile(Path.of("/etc/ssl/ca.pem")).auth("u", "p")
                .socksProxies("192.0.2.1 pri=2 : 192.0.2.2").connectTimeout(Duration.ofSeconds(1))
                .greetingTimeout(Duration.ofSeconds(2)).commandTimeout(Duration.ofSeconds(3))
                .dataBlockTimeout(Duration.ofSeconds(4)).dataEndTimeout(Duration.ofSeconds(5))
                .transactionTimeout(Duration.ofSeconds(6)).idleTime(Duration.ZERO)
                .maxConnectionsPerDestination(2).maxConnections(3).mxPort(2525).build();
        assertThat(c.target()).isEqualTo(new RelayTarget.Lmtp(new RelayTarget.HostAndPort("::1", 2003)));
        assertThat(c.socksProxies()).hasSize(2);
        assertThat(c.timeouts()).isEqualTo(new RelayTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(2),
                Duration.ofSeconds(3), Duration.ofSeconds(4), Duration.ofSeconds(5), Duration.ofSeconds(6)));
        assertThat(c.toString()).contains("authUser=u").doesNotContain("=p,").doesNotContain("authPassword");
    }

    @Test
    void invalidCombinationsAreRefusedClearly() {
        assertThatThrownBy(() -> RelayClientConfig.builder().build()).hasMessageContaining("relay target is required");
        assertThatThrownBy(() -> RelayClientConfig.builder().target("mx").auth("u", "p").build())
                .hasMessageContaining("MX delivery never authenticates");
        assertThatThrownBy(() -> smarthost().tlsMode(TlsMode.NONE).auth("u", "p").build()).hasMessageContaining("only over TLS");
        assertThatThrownBy(() -> smarthost().auth("u", null).build()).hasMessageContaining("both a user and a password");
        assertThatThrownBy(() -> smarthost().caFile(Path.of("ca.pem")).build()).hasMessageContaining("only with TLS mode verify");
        assertThatThrownBy(() -> smarthost().heloName("two words").build()).hasMessageContaining("heloName");
        assertThatThrownBy(() -> smarthost().maxConnectionsPerDestination(5).maxConnections(4).build())
                .hasMessageContaining("maxConnectionsPerDestination <= maxConnections");
        assertThatThrownBy(() -> smarthost().commandTimeout(Duration.ZERO).build()).hasMessageContaining("command timeout must be positive");
        assertThatThrownBy(() -> smarthost().socksProxies(List.of(new SocksProxy("192.0.2.1", 1080, SocksProxy.Auth.NONE,
                "", "", Duration.ofSeconds(1), 1, 0))).build()).hasMessageContaining("weight 0");
    }

    @Test
    void unreadableCaFileFailsAtCreation() {
        RelayClientConfig c = smarthost().tlsMode(TlsMode.VERIFY).caFile(Path.of("/nonexistent/ca.pem")).build();
        assertThatThrownBy(() -> RelayClient.create(c)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("/nonexistent/ca.pem");
    }
}
