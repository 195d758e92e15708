package dev.postern.server;

import dev.postern.ForwardPath;
import dev.postern.Mailbox;
import dev.postern.SmtpRejection;
import dev.postern.proxy.TrustedSources;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The relay rule on its own: who may send to which recipient. */
class RelayAccessTest {

    private static final RelayAccess ACCESS = new RelayAccess(List.of("example.org", "example.net"),
            RelayAccess.networks("10.0.0.0/8,2001:db8::/32"));

    private static ForwardPath to(String local, String domain) {
        return ForwardPath.of(new Mailbox(local, domain));
    }

    private static FakeSession client(String address) {
        FakeSession session = new FakeSession();
        session.remote = new InetSocketAddress(address, 40000);
        return session;
    }

    private static void assertDenied(FakeSession session, ForwardPath to) {
        assertThatThrownBy(() -> ACCESS.check(session, to)).isInstanceOfSatisfying(SmtpRejection.class, r -> {
            assertThat(r.reply().code()).isEqualTo(550);
            assertThat(r.reply().format(true)).isEqualTo("550 5.7.1 " + to + ": Relay access denied\r\n");
        });
    }

    @Test
    void ourDomainsAreAcceptedFromAnyoneIgnoringCaseAndATrailingDot() {
        FakeSession stranger = client("192.0.2.7");
        for (ForwardPath to : List.of(to("bob", "example.org"), to("Bob", "EXAMPLE.Net"), to("bob", "example.org."))) {
            assertThat(ACCESS.check(stranger, to)).isEqualTo(to);
        }
    }

    @Test
    void otherDomainsAndSubdomainsAreDeniedToAStranger() {
        FakeSession stranger = client("192.0.2.7");
        assertDenied(stranger, to("bob", "elsewhere.example"));
        assertDenied(stranger, to("bob", "mail.example.org"));
        assertDenied(stranger, to("bob", "example.org.evil.example"));
        assertDenied(stranger, to("bob", "[192.0.2.1]"));
    }

    @Test
    void clientsOfTheRelayNetworksMaySendAnywhere() {
        for (String address : List.of("10.1.2.3", "10.255.255.255", "2001:db8::25", "::ffff:10.0.0.1")) {
            assertThat(ACCESS.check(client(address), to("bob", "elsewhere.example"))).as(address)
                    .isEqualTo(to("bob", "elsewhere.example"));
        }
        assertDenied(client("11.0.0.1"), to("bob", "elsewhere.example"));
        assertDenied(client("2001:db9::1"), to("bob", "elsewhere.example"));
    }

    @Test
    void authenticatedClientsMaySendAnywhere() {
        FakeSession stranger = client("192.0.2.7");
        stranger.user = "alice";
        assertThat(ACCESS.check(stranger, to("bob", "elsewhere.example"))).isEqualTo(to("bob", "elsewhere.example"));
    }

    @Test
    void postmasterWithoutDomainIsTheFirstDomainsPostmaster() {
        assertThat(ACCESS.check(client("192.0.2.7"), ForwardPath.POSTMASTER)).isEqualTo(to("postmaster", "example.org"));
        RelayAccess networksOnly = new RelayAccess(List.of(), RelayAccess.networks("10.0.0.0/8"));
        assertThatThrownBy(() -> networksOnly.check(client("192.0.2.7"), ForwardPath.POSTMASTER))
                .hasMessageContaining("Relay access denied");
        assertThat(networksOnly.check(client("10.0.0.1"), ForwardPath.POSTMASTER)).isEqualTo(ForwardPath.POSTMASTER);
    }

    @Test
    void relayNetworksThatWouldMakeAnOpenRelayAreRefused() {
        for (String open : List.of("*", " * ", "0.0.0.0/0", "10.0.0.0/8,::/0", "::ffff:0.0.0.0/96")) {
            assertThatThrownBy(() -> RelayAccess.networks(open)).as(open).hasMessageContaining("open relay");
        }
        assertThatThrownBy(() -> RelayAccess.networks("relay.example.org")).hasMessageContaining("relay.example.org");
        assertThat(RelayAccess.networks("")).isEqualTo(TrustedSources.NONE);
    }

    @Test
    void domainsAreNormalizedAndChecked() {
        assertThat(RelayAccess.domain(" Example.ORG. ")).isEqualTo("example.org");
        assertThat(RelayAccess.domain("xn--bcher-kva.example")).isEqualTo("xn--bcher-kva.example");
        for (String bad : List.of("", "two words.example", "-a.example", "a..example", "[192.0.2.1]", "bob@example.org",
                "a".repeat(64) + ".example")) {
            assertThatThrownBy(() -> RelayAccess.domain(bad)).as(bad).hasMessageContaining("is not a domain name");
        }
    }

    @Test
    void describesItselfForTheStartLine() {
        assertThat(ACCESS).hasToString("domains example.org,example.net, relay networks 10.0.0.0/8,2001:db8:0:0:0:0:0:0/32");
    }
}
