package dev.postern.server;

import dev.postern.relay.client.RelayTarget;
import dev.postern.relay.client.SocksProxy;
import dev.postern.relay.client.TlsMode;
import dev.postern.relay.queue.MailQueue;
import dev.postern.relay.queue.RetrySchedule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.ParameterException;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.postern.server.ServeCommandTest.assertUsageErrors;
import static dev.postern.server.ServeCommandTest.run;
import static dev.postern.server.ServeCommandTest.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The relay flags and keys of postern serve: defaults, refusals, warnings, the config file's socks-proxy list. */
@Timeout(30)
class RelayOptionsTest {

    @TempDir
    Path dir;

    private Path yaml(String text) throws IOException {
        return Files.writeString(dir.resolve("postern.yml"), text);
    }

    @Test
    void defaultsAreTheRelayLibrarysDefaults() {
        RelaySettings r = settings("--relay", "smtp://smarthost.example.org", "--domains", "example.org", "--hostname", "mx.test")
                .relay();
        assertThat(r.queueDir()).isEqualTo(Path.of("./queue"));
        assertThat(r.limits()).isEqualTo(MailQueue.Limits.DEFAULT);
        assertThat(r.delivery().retry()).isEqualTo(RetrySchedule.DEFAULT);
        assertThat(r.delivery().maxConcurrent()).isEqualTo(50);
        assertThat(r.delivery().maxPerRoute()).isEqualTo(10);
        assertThat(r.delivery().reportingMta()).isEqualTo("mx.test");
        assertThat(r.delivery().closeTimeout()).as("a graceful stop: --shutdown-grace").isEqualTo(Duration.ofSeconds(10));
        assertThat(r.client().target()).isEqualTo(RelayTarget.parse("smtp://smarthost.example.org:25"));
        assertThat(r.client().heloName()).isEqualTo("mx.test");
        assertThat(r.client().tlsMode()).isEqualTo(TlsMode.OPPORTUNISTIC);
        assertThat(r.client().caFile()).isNull();
        assertThat(r.client().authUser()).isNull();
        assertThat(r.client().socksProxies()).isEmpty();
        assertThat(r.client().dnsServer()).isNull();
        assertThat(r.client().mxPort()).isEqualTo(25);
        assertThat(r.client().maxConnectionsPerDestination()).isEqualTo(10);
        assertThat(r.client().maxConnections()).isEqualTo(50);
        assertThat(r.access()).hasToString("domains example.org, relay networks none");
    }

    @Test
    void relayWithoutDomainsOrNetworksRefusesToStartWithOneLine() throws IOException {
        ServeCommandTest.Run r = run("serve", "--relay", "smtp://127.0.0.1:25", "--listen", "127.0.0.1:0",
                "--queue-dir", dir.resolve("queue").toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("postern: --relay needs --domains (accepted from anyone) or --relay-networks (clients "
                + "that may relay anywhere): Postern is never an open relay\n");
        assertThat(Files.exists(dir.resolve("queue"))).as("nothing was started").isFalse();
        assertThatThrownBy(() -> settings("--config", yaml("relay: mx\n").toString())).isInstanceOf(ParameterException.class)
                .hasMessageContaining("never an open relay");
    }

    @Test
    void badRelaySettingsExitWith2AndOneLine() throws IOException {
        Path password = Files.writeString(dir.resolve("password"), "s3cret\n");
        Path empty = Files.writeString(dir.resolve("empty"), "");
        Map<List<String>, String> cases = new LinkedHashMap<>();
        cases.put(List.of("--relay", "ftp://x.example"), "relay target must be smtp://host[:port][,host[:port]...], lmtp://host[:port] or mx");
        cases.put(List.of("--relay", "lmtp://a.example,b.example"), "lmtp:// takes one host");
        cases.put(List.of("--relay-tls", "sometimes"), "'sometimes' is not one of none, opportunistic, required, verify");
        cases.put(List.of("--retry-schedule", "1m,5x"), "not a retry step (a number and s, m, h or d): '5x'");
        cases.put(List.of("--max-queue-time", "forever"), "'forever' is not a duration");
        cases.put(List.of("--max-queue-time", "0"), "--max-queue-time must be positive");
        cases.put(List.of("--socks-proxy", "proxy.example port=1080"), "'proxy.example' is not an IP address");
        cases.put(List.of("--socks-proxy", "127.0.0.1 prot=1080"), "unknown option 'prot'");
        cases.put(List.of("--domains", "example.org,not a domain"), "'not a domain' is not a domain name");
        cases.put(List.of("--relay-networks", "*"), "would let anyone relay (an open relay)");
        cases.put(List.of("--relay-networks", "0.0.0.0/0"), "would let anyone relay (an open relay)");
        cases.put(List.of("--relay-networks", "relay.example.org"), "not an IP address or CIDR range: 'relay.example.org'");
        cases.put(List.of("--dns-server", "dns.example:53"), "the DNS server is an IP address and a port");
        cases.put(List.of("--dns-server", "127.0.0.1"), "listen address must be HOST:PORT");
        cases.put(List.of("--queue-max-size", "lots"), "'lots' is not a size");
        cases.put(List.of("--queue-max-size", "0"), "--queue-max-size must be at least 1, not 0");
        cases.put(List.of("--queue-max-messages", "0"), "--queue-max-messages must be at least 1, not 0");
        cases.put(List.of("--max-deliveries", "0"), "--max-deliveries must be at least 1, not 0");
        cases.put(List.of("--max-connections-per-destination", "-1"), "--max-connections-per-destination must be at least 1");
        cases.put(List.of("--mx-port", "65536"), "--mx-port must be from 1 to 65535, not 65536");
        cases.put(List.of("--relay-tls-ca", password.toString()), "--relay-tls-ca needs --relay-tls verify");
        cases.put(List.of("--relay-tls", "verify", "--relay-tls-ca", dir.resolve("missing.pem").toString()),
                "cannot read the --relay-tls-ca file " + dir.resolve("missing.pem"));
        cases.put(List.of("--relay-user", "u"), "--relay-user and --relay-password-file go together");
        cases.put(List.of("--relay-password-file", password.toString()), "--relay-user and --relay-password-file go together");
        cases.put(List.of("--relay-user", "u", "--relay-password-file", empty.toString()),
                "the --relay-password-file " + empty + " is empty: its first line is the --relay-user password");
        cases.put(List.of("--relay-user", "u", "--relay-password-file", dir.resolve("nope").toString()),
                "cannot read the --relay-password-file file " + dir.resolve("nope"));
        cases.put(List.of("--relay-user", "u", "--relay-password-file", password.toString(), "--relay-tls", "none"),
                "--relay-user needs TLS");
        cases.put(List.of("--discard"), "--discard and --relay exclude each other");
        assertUsageErrors(cases, "--listen", "127.0.0.1:0", "--relay", "smtp://127.0.0.1:25", "--domains", "example.org");
        Map<List<String>, String> mx = new LinkedHashMap<>();
        mx.put(List.of("--relay-user", "u", "--relay-password-file", password.toString()),
                "--relay-user is for a smarthost or LMTP server; --relay mx delivers to MX hosts, which take no AUTH");
        assertUsageErrors(mx, "--listen", "127.0.0.1:0", "--relay", "mx", "--domains", "example.org");
    }

    @Test
    void relaySettingsWithoutRelayAreAWarningNamingThem() throws IOException {
        ServeSettings s = settings("--domains", "example.org", "--queue-dir", "/tmp/q");
        assertThat(s.relay()).isNull();
        assertThat(s.warnings()).containsExactly("--domains, --queue-dir without --relay: not used, every message goes to the Maildir");
        ServeSettings fromFile = settings("--config", yaml("socks-proxy: [{address: 127.0.0.1}]\nmax-deliveries: 3\n").toString());
        assertThat(fromFile.warnings()).containsExactly(
                "--max-deliveries, --socks-proxy without --relay: not used, every message goes to the Maildir");
    }

    @Test
    void maildirWithRelayAndAuthWithOpportunisticTlsAreWarnings() throws IOException {
        Path password = Files.writeString(dir.resolve("password"), "s3cret\n");
        ServeSettings s = settings("--relay", "smtp://smarthost.example.org:587", "--relay-networks", "10.0.0.0/8",
                "--maildir", "/var/mail/x", "--relay-user", "u", "--relay-password-file", password.toString());
        assertThat(s.warnings()).containsExactly(
                "--maildir is not used with --relay: accepted mail goes to the queue and on to the relay",
                "--relay-user with --relay-tls opportunistic: a next hop without STARTTLS gets no credentials and the mail "
                        + "waits in the queue; --relay-tls required or verify says so at once");
    }

    @Test
    void aQueueSmallerThanTheLargestMessageIsAWarning() {
        ServeSettings s = settings("--relay", "mx", "--domains", "example.org", "--queue-max-size", "10M",
                "--max-message-size", "25M");
        assertThat(s.warnings()).containsExactly("--queue-max-size 10485760 is below --max-message-size 26214400: a message "
                + "larger than the queue gets 452 (try again later) until its sender gives up");
    }

    @Test
    void socksProxyFlagOverridesTheFilesListAndTheFileTakesEximsStringToo() throws IOException {
        Path file = yaml("relay: mx\ndomains: example.org\nsocks-proxy:\n  - {address: 192.0.2.1, port: 1081}\n");
        assertThat(settings("--config", file.toString()).relay().client().socksProxies())
                .containsExactly(SocksProxy.of("192.0.2.1", 1081));
        assertThat(settings("--config", file.toString(), "--socks-proxy", "192.0.2.2").relay().client().socksProxies())
                .containsExactly(SocksProxy.of("192.0.2.2", 1080));
        Path exim = yaml("relay: mx\ndomains: example.org\nsocks-proxy: \"192.0.2.3 port=1082 : 192.0.2.4\"\n");
        assertThat(settings("--config", exim.toString()).relay().client().socksProxies())
                .containsExactly(SocksProxy.of("192.0.2.3", 1082), SocksProxy.of("192.0.2.4", 1080));
    }

    @Test
    void badSocksProxyEntriesAreErrorsNamingTheFileAndTheEntry() throws IOException {
        Path pass = Files.writeString(dir.resolve("pass"), "p\n");
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("socks-proxy: []\n", "'socks-proxy' is an empty list");
        cases.put("socks-proxy: [{port: 1080}]\n", "socks-proxy entry 1: 'address' is required");
        cases.put("socks-proxy: [{address: 127.0.0.1}, {address: proxy.example}]\n",
                "socks-proxy entry 2: 'proxy.example' is not an IP address");
        cases.put("socks-proxy: [{address: 127.0.0.1, prot: 1}]\n", "socks-proxy entry 1: unknown key 'prot'");
        cases.put("socks-proxy: [{address: 127.0.0.1, port: x}]\n", "'port' must be a whole number, not 'x'");
        cases.put("socks-proxy: [{address: 127.0.0.1, port: 70000}]\n", "SOCKS proxy port must be 1 to 65535");
        cases.put("socks-proxy: [{address: 127.0.0.1, auth: maybe}]\n", "'auth' must be none or name, not 'maybe'");
        cases.put("socks-proxy: [{address: 127.0.0.1, auth: name}]\n", "auth=name needs a name=");
        cases.put("socks-proxy: [{address: 127.0.0.1, name: u, pass: p, pass-file: " + pass + "}]\n",
                "'pass' and 'pass-file' exclude each other");
        cases.put("socks-proxy: [{address: 127.0.0.1, name: u, pass-file: " + dir.resolve("none") + "}]\n",
                "cannot read the socks-proxy pass-file file " + dir.resolve("none"));
        cases.put("socks-proxy: [{address: 127.0.0.1, tmo: soon}]\n", "'soon' is not a duration");
        cases.put("socks-proxy: [{address: 127.0.0.1, weight: 0}]\n", "every socks-proxy entry has weight 0");
        cases.put("socks-proxy: [[127.0.0.1]]\n", "socks-proxy entry 1: must be a mapping with 'address'");
        cases.put("socks-proxy: [\"127.0.0.1 bogus=1\"]\n", "socks-proxy entry 1: socks_proxy entry 1 ('127.0.0.1 bogus=1'): unknown option 'bogus'");
        cases.put("socks-proxy: {address: 127.0.0.1}\n", "'socks-proxy' must be a value, not a mapping");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Path file = yaml("relay: mx\ndomains: example.org\n" + c.getKey());
            assertThatThrownBy(() -> settings("--config", file.toString())).as(c.getKey())
                    .isInstanceOf(ParameterException.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining(c.getValue());
        }
    }

    @Test
    void aSocksPasswordNeverShowsInAnError() throws IOException {
        Path file = yaml("relay: mx\ndomains: example.org\nsocks-proxy: \"127.0.0.1 auth=name name=u pass=TOPSECRET bogus=1\"\n");
        assertThatThrownBy(() -> settings("--config", file.toString())).hasMessageNotContaining("TOPSECRET");
        assertThatThrownBy(() -> settings("--socks-proxy", "127.0.0.1 auth=name name=u pass=TOPSECRET port=x"))
                .hasMessageNotContaining("TOPSECRET");
    }

    @Test
    void exampleConfigFileRelayLinesAreValidUncommented() throws IOException {
        String example;
        try (var in = ServeCommand.class.getResourceAsStream("/postern.example.yml")) {
            example = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        int relay = example.indexOf("\n# Relay, off unless");
        assertThat(relay).isPositive();
        Path ca = Files.writeString(dir.resolve("ca.pem"), "x");
        Path password = Files.writeString(dir.resolve("smarthost-password"), "s3cret\n");
        Path socksPassword = Files.writeString(dir.resolve("socks-password"), "socks-s3cret\n");
        String uncommented = example.substring(0, relay) + example.substring(relay)
                .replaceAll("(?m)^# ([a-z-]+:.*)$", "$1")
                .replaceAll("(?m)^#   ", "  ")
                .replace("/etc/postern/smarthost-ca.pem", ca.toString())
                .replace("/etc/postern/smarthost-password", password.toString())
                .replace("/etc/postern/socks-password", socksPassword.toString())
                .replace("/var/spool/postern", dir.resolve("queue").toString());
        ServeSettings s = settings("--config", yaml(uncommented).toString());
        RelaySettings r = s.relay();
        assertThat(r.client().target()).isEqualTo(RelayTarget.parse("smtp://smarthost.example.org:587"));
        assertThat(r.access()).hasToString("domains example.org,example.net, relay networks 10.0.0.0/8,192.168.0.0/16");
        assertThat(r.client().tlsMode()).isEqualTo(TlsMode.VERIFY);
        assertThat(r.client().authPassword()).isEqualTo("s3cret");
        assertThat(r.client().socksProxies()).containsExactly(
                new SocksProxy("10.0.0.1", 1080, SocksProxy.Auth.NONE, "", "", Duration.ofSeconds(5), 2, 1),
                new SocksProxy("10.0.0.2", 1080, SocksProxy.Auth.NAME, "relay", "socks-s3cret", Duration.ofSeconds(5), 1, 2));
        assertThat(s.warnings()).as("the example's maildir key").containsExactly(
                "--maildir is not used with --relay: accepted mail goes to the queue and on to the relay");
        assertThat(InetAddress.getByName(r.client().dnsServer().getHostString()).isLoopbackAddress()).isTrue();
    }
}
