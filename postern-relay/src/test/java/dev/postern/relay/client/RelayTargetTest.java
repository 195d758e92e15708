package dev.postern.relay.client;

import dev.postern.relay.client.RelayTarget.HostAndPort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RelayTargetTest {

    @Test
    void smtpDefaultsToPort25() {
        assertThat(RelayTarget.parse("smtp://relay.example.org"))
                .isEqualTo(new RelayTarget.Smarthosts(List.of(new HostAndPort("relay.example.org", 25))));
    }

    @Test
    void severalSmarthostsKeepTheirOrderAndPorts() {
        RelayTarget t = RelayTarget.parse(" SMTP://a.example:2525, 192.0.2.7 ,[2001:db8::1]:587 ");
        assertThat(t).isEqualTo(new RelayTarget.Smarthosts(List.of(
                new HostAndPort("a.example", 2525), new HostAndPort("192.0.2.7", 25), new HostAndPort("2001:db8::1", 587))));
        assertThat(t.toString()).isEqualTo("smtp://a.example:2525,192.0.2.7:25,[2001:db8::1]:587");
    }

    @Test
    void lmtpDefaultsToPort24() {
        assertThat(RelayTarget.parse("lmtp://127.0.0.1")).isEqualTo(new RelayTarget.Lmtp(new HostAndPort("127.0.0.1", 24)));
        assertThat(RelayTarget.parse("lmtp://[::1]:2003")).isEqualTo(new RelayTarget.Lmtp(new HostAndPort("::1", 2003)));
    }

    @Test
    void mxInAnyCase() {
        assertThat(RelayTarget.parse("mx")).isEqualTo(new RelayTarget.Mx());
        assertThat(RelayTarget.parse(" MX ")).isInstanceOf(RelayTarget.Mx.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "relay.example.org", "smtp:/relay", "http://relay", "smtp://", "smtp://a,,b",
            "smtp://a:0", "smtp://a:65536", "smtp://a:x", "smtp://a:", "smtp://::1", "smtp://[::1", "smtp://[::1]x",
            "smtp://[nothost]:25", "smtp://bad_host!", "smtp://-a.example", "lmtp://a,b", "mxx", "smtp://a b"})
    void rejectsEverythingElseClearly(String value) {
        assertThatThrownBy(() -> RelayTarget.parse(value)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("null");
    }

    @Test
    void errorNamesTheAcceptedForms() {
        assertThatThrownBy(() -> RelayTarget.parse("relay.example.org"))
                .hasMessageContaining("smtp://host[:port]").hasMessageContaining("lmtp://host[:port]").hasMessageContaining("mx");
        assertThatThrownBy(() -> RelayTarget.parse("smtp://2001:db8::1")).hasMessageContaining("brackets");
    }
}
