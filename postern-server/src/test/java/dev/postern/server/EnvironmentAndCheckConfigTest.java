package dev.postern.server;

import dev.postern.Listener;
import dev.postern.proxy.ProxyProtocolMode;
import dev.postern.proxy.TrustedSources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static dev.postern.server.ServeCommandTest.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Settings from POSTERN_* environment variables (between the flags and the config file), --drain-delay,
 * {@code postern check-config} and {@code postern --version}. ServeCommandTest gives every setting through
 * the environment as well as through flags and the config file.
 */
// A usage error that is not caught would start a server and wait for SIGTERM: fail instead.
@Timeout(30)
class EnvironmentAndCheckConfigTest {

    @TempDir
    Path dir;

    private Path yaml(String text) throws IOException {
        Path file = dir.resolve("postern-" + text.hashCode() + ".yml");
        Files.writeString(file, text);
        return file;
    }

    private static ServeCommandTest.Run run(Map<String, String> environment, String... args) {
        return ServeCommandTest.run(environment, args);
    }

    // ---- environment variables

    @Test
    void aFlagBeatsTheVariableWhichBeatsTheConfigFileWhichBeatsTheDefault() throws IOException {
        Path file = yaml("""
                max-recipients: 42
                max-errors: 5
                command-timeout: 1m
                """);
        ServeSettings s = settings(Map.of("POSTERN_MAX_RECIPIENTS", "7", "POSTERN_MAX_ERRORS", "9"),
                "--max-recipients", "3", "--config", file.toString());
        assertThat(s.server().maxRecipients()).as("flag over variable and file").isEqualTo(3);
        assertThat(s.server().maxErrors()).as("variable over file").isEqualTo(9);
        assertThat(s.server().commandTimeout()).as("file over default").isEqualTo(Duration.ofMinutes(1));
        assertThat(s.server().dataTimeout()).as("default").isEqualTo(Duration.ofMinutes(3));
    }

    @Test
    void theIssuesExampleSetsTheMessageSizeLimit() {
        assertThat(settings(Map.of("POSTERN_MAX_MESSAGE_SIZE", "25M")).server().maxMessageSize()).isEqualTo(25L << 20);
    }

    @Test
    void theConfigFileItselfMayComeFromTheEnvironment() throws IOException {
        Path file = yaml("max-recipients: 42\n");
        assertThat(settings(Map.of("POSTERN_CONFIG", file.toString())).server().maxRecipients()).isEqualTo(42);
    }

    @Test
    void anEmptyVariableCountsAsUnset() throws IOException {
        Path file = yaml("max-recipients: 42\n");
        assertThat(settings(Map.of("POSTERN_MAX_RECIPIENTS", ""), "--config", file.toString()).server().maxRecipients())
                .isEqualTo(42);
        assertThat(settings(Map.of("POSTERN_MAX_RECIPIENTS", "")).server().maxRecipients()).isEqualTo(100);
    }

    @Test
    void listenFromTheEnvironmentReplacesTheFilesListenersAsTheFlagDoes() throws IOException {
        Path file = yaml("""
                listen: ["127.0.0.1:2600"]
                max-recipients: 42
                """);
        ServeSettings s = settings(Map.of("POSTERN_LISTEN", "127.0.0.1:2700,127.0.0.1:2701"), "--config", file.toString());
        assertThat(s.server().listeners()).containsExactly(Listener.of("127.0.0.1", 2700), Listener.of("127.0.0.1", 2701));
        assertThat(s.server().maxRecipients()).isEqualTo(42);
    }

    @Test
    void proxySettingsFromTheEnvironmentApplyToEveryListenerAsTheFlagsDo() throws IOException {
        Path file = yaml("""
                listen:
                  - address: "127.0.0.1:2600"
                    proxy-protocol: optional
                    trusted-proxies: "10.0.0.1"
                """);
        ServeSettings s = settings(Map.of("POSTERN_PROXY_PROTOCOL", "required", "POSTERN_TRUSTED_PROXIES", "192.0.2.0/24"),
                "--config", file.toString());
        assertThat(s.server().listeners()).containsExactly(Listener.of("127.0.0.1", 2600)
                .withProxyProtocol(ProxyProtocolMode.REQUIRED, TrustedSources.parse("192.0.2.0/24")));
    }

    @Test
    void aBadValueInAVariableExitsTwoNamingTheVariable() {
        ServeCommandTest.Run r = run(Map.of("POSTERN_MAX_MESSAGE_SIZE", "10Q"), "serve");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("postern: Invalid value for option '--max-message-size'")
                .endsWith(" (from the environment: POSTERN_MAX_MESSAGE_SIZE=10Q)\n");
        assertThat(r.err().strip().lines()).hasSize(1);

        ServeCommandTest.Run badSwitch = run(Map.of("POSTERN_DISCARD", "yes"), "check-config");
        assertThat(badSwitch.exitCode()).isEqualTo(2);
        assertThat(badSwitch.err()).contains("POSTERN_DISCARD=yes");
    }

    @Test
    void aBadFlagSaysNothingOfTheEnvironment() {
        ServeCommandTest.Run r = run(Map.of(), "serve", "--max-message-size", "10Q");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).doesNotContain("environment");
    }

    @Test
    void aMisspeltVariableIsAWarningAndTheLaunchersOwnAreNot() {
        ServeSettings s = settings(Map.of("POSTERN_MAX_MESAGE_SIZE", "1M", "POSTERN_NO_BUILD", "1", "POSTERN_CDS", "0", "POSTERN_HOME", "/opt/postern",
                "OTHER_VARIABLE", "x"));
        assertThat(s.warnings()).containsExactly(
                "environment variable POSTERN_MAX_MESAGE_SIZE is not a setting of postern serve (see postern serve --help); ignored");
        assertThat(s.server().maxMessageSize()).isEqualTo(25L << 20);
    }

    @Test
    void theVariablesAreServesSettingsOnlyNotTheQueueCommands() {
        CommandLine postern = PosternMain.commandLine(Map.of("POSTERN_QUEUE_DIR", "/var/spool/elsewhere"));
        assertThat(postern.getSubcommands().get("serve").getDefaultValueProvider()).isInstanceOf(EnvironmentDefaults.class);
        assertThat(postern.getSubcommands().get(PosternMain.CHECK_CONFIG).getDefaultValueProvider())
                .isInstanceOf(EnvironmentDefaults.class);
        assertThat(postern.getSubcommands().get("queue").getDefaultValueProvider()).isNull();
        postern.getSubcommands().get("queue").getSubcommands().values()
                .forEach(sub -> assertThat(sub.getDefaultValueProvider()).as(sub.getCommandName()).isNull());
    }

    @Test
    void helpSaysHowVariablesAreNamed() {
        ServeCommandTest.Run r = run(Map.of(), "serve", "--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out().replaceAll("\\s+", " ")).contains("POSTERN_MAX_MESSAGE_SIZE=25M")
                .contains("A flag wins over the variable, the variable over the config file, the file over the default.");
    }

    @Test
    void variablesAreNamedAfterTheLongFlag() {
        var serve = PosternMain.commandLine(Map.of()).getSubcommands().get("serve").getCommandSpec();
        assertThat(EnvironmentDefaults.variable(serve.findOption("--max-message-size"))).isEqualTo("POSTERN_MAX_MESSAGE_SIZE");
        assertThat(EnvironmentDefaults.variable(serve.findOption("--tls-cert"))).isEqualTo("POSTERN_TLS_CERT");
        assertThat(EnvironmentDefaults.variable(serve.findOption("--help"))).isEqualTo("POSTERN_HELP");
        assertThat(new EnvironmentDefaults(Map.of("POSTERN_HELP", "true")).sets(serve.findOption("--help")))
                .as("help is not a setting").isFalse();
    }

    // ---- --drain-delay

    @Test
    void drainDelayIsZeroUnlessGiven() {
        assertThat(settings().drainDelay()).isZero();
        ServeSettings s = settings("--drain-delay", "15s", "--http-listen", "127.0.0.1:0");
        assertThat(s.drainDelay()).isEqualTo(Duration.ofSeconds(15));
        assertThat(s.warnings()).isEmpty();
        assertThat(settings(Map.of("POSTERN_DRAIN_DELAY", "2s")).drainDelay()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void drainDelayWithoutAReadinessEndpointIsAWarning() {
        assertThat(settings("--drain-delay", "5s").warnings())
                .containsExactly("--drain-delay without --http-listen: no /ready tells a load balancer to stop sending clients during the delay");
    }

    @Test
    void aNegativeDrainDelayIsAUsageError() {
        assertThatThrownBy(() -> settings("--drain-delay", "PT-1S")).isInstanceOf(ParameterException.class)
                .hasMessageContaining("drain delay must not be negative");
    }

    // ---- check-config

    @Test
    void checkConfigPrintsEachSettingWithItsSourceAndExitsZero() throws IOException {
        Path file = yaml("""
                max-recipients: 42
                max-errors: 5
                tls:
                  starttls: "off"
                """);
        ServeCommandTest.Run r = run(Map.of("POSTERN_MAX_ERRORS", "9"), "check-config", "--config", file.toString(), "--hostname", "mx.test");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).contains(
                "  - address: \"127.0.0.1:2525\"  # default\n",
                "\nhostname: \"mx.test\"  # flag --hostname\n",
                "\nmax-recipients: \"42\"  # config file\n",
                "\nmax-errors: \"9\"  # environment POSTERN_MAX_ERRORS\n",
                "\n# max-message-size: \"25MiB\"  # default\n",
                "\ntls:\n",
                "\n  starttls: \"off\"  # config file\n");
    }

    @Test
    void checkConfigsOutputIsAConfigFileThatGivesTheSameSettings() throws IOException {
        Path file = yaml("""
                listen:
                  - "127.0.0.1:2600"
                  - address: "[::1]:2601"
                    proxy-protocol: optional
                    trusted-proxies: ["::1", "10.0.0.0/8"]
                  - address: "127.0.0.1:2424"
                    protocol: lmtp
                max-recipients: 42
                xclient-hosts: ["192.0.2.1", "198.51.100.0/24"]
                relay: "smtp://smarthost.example.org:587"
                domains: [example.org]
                retry-schedule: 1m,10m
                reverse-dns: true
                tls:
                  self-signed: true
                  protocols: [TLSv1.3]
                """);
        Map<String, String> environment = Map.of("POSTERN_MAX_ERRORS", "9", "POSTERN_IGNORED_HOSTS", "203.0.113.0/24,2001:db8::/32",
                "POSTERN_DRAIN_DELAY", "3s");
        String[] flags = {"--config", file.toString(), "--hostname", "mx.test", "--command-timeout", "90s", "--tls-listen",
            "127.0.0.1:4650", "--http-listen", "127.0.0.1:9025"};
        List<String> args = new ArrayList<>(List.of("check-config"));
        args.addAll(List.of(flags));
        ServeCommandTest.Run r = run(environment, args.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.err()).isZero();

        ServeSettings original = settings(environment, flags);
        ServeSettings readBack = settings("--config", yaml(r.out()).toString());
        assertThat(readBack.server()).usingRecursiveComparison().ignoringFields("tls").isEqualTo(original.server());
        assertThat(readBack.server().tls().protocols()).isEqualTo(original.server().tls().protocols());
        assertThat(readBack.server().tls().keys()).isEqualTo(original.server().tls().keys());
        assertThat(readBack.relay()).usingRecursiveComparison().ignoringFieldsOfTypes(java.util.Random.class).isEqualTo(original.relay());
        assertThat(readBack.drainDelay()).isEqualTo(Duration.ofSeconds(3));
        assertThat(readBack.httpListen()).isEqualTo(original.httpListen());
        assertThat(readBack.server().listeners()).hasSize(4).contains(dev.postern.Listener.of("127.0.0.1", 2424).withLmtp(true));
    }

    /** All TLS settings at their defaults, a plugin's section: the output still reads back. */
    @Test
    void checkConfigsOutputReadsBackWithDefaultTlsAndAPluginSection() throws IOException {
        Path file = yaml("""
                max-recipients: 7
                plugins:
                  allowlist:
                    recipients: ["a@example.org", "b@example.org"]
                    mode: strict
                """);
        ServeCommandTest.Run r = run(Map.of(), "check-config", "--config", file.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("\ntls: {}\n");
        ServeCommandTest.Run again = run(Map.of(), "check-config", "--config", yaml(r.out()).toString());
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.out()).contains("\nmax-recipients: \"7\"  # config file\n", "\ntls: {}\n");
        assertThat(ConfigFileSections.of(yaml(r.out()))).isEqualTo(ConfigFileSections.of(file));
    }

    /** The plugins sections a config file gives, as ConfigFile reads them. */
    private static final class ConfigFileSections {
        static Map<String, Map<String, Object>> of(Path file) {
            try {
                return ConfigFile.read(file).pluginSections();
            } catch (ConfigException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void checkConfigDoesNotShowSocksPasswords() {
        ServeCommandTest.Run r = run(Map.of(), "check-config", "--relay", "smtp://127.0.0.1:2525", "--domains", "example.org",
                "--socks-proxy", "127.0.0.1 port=1080 auth=name name=relay pass=s3cret-word");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("name=relay pass=****").doesNotContain("s3cret-word");
    }

    @Test
    void checkConfigOfABadFileExitsTwoWithOneLine() throws IOException {
        Path file = yaml("max-recipients: many\n");
        ServeCommandTest.Run r = run(Map.of(), "check-config", "--config", file.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("postern: " + file).contains("max-recipients");
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.out()).isEmpty();
    }

    @Test
    void checkConfigLoadsTheCertificateAsTheServerWould() throws IOException {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
        Path key = Files.writeString(dir.resolve("key.pem"), "not a key\n");
        ServeCommandTest.Run r = run(Map.of(), "check-config", "--tls-cert", cert.toString(), "--tls-key", key.toString());
        assertThat(r.exitCode()).as(r.out()).isEqualTo(2);
        assertThat(r.err()).startsWith("postern: invalid settings: ");
        assertThat(r.err().strip().lines()).hasSize(1);
    }

    @Test
    void checkConfigHelpNamesItselfAndListsTheServeFlags() {
        ServeCommandTest.Run r = run(Map.of(), "check-config", "--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("Usage: postern check-config ").contains("--config=FILE", "--drain-delay=DURATION",
                "--tls-cert=FILE", "--relay=");
    }

    @Test
    void checkConfigPrintsWarningsOnStderr() {
        ServeCommandTest.Run r = run(Map.of(), "check-config", "--drain-delay", "5s");
        assertThat(r.exitCode()).isZero();
        assertThat(r.err()).isEqualTo("postern: warning: --drain-delay without --http-listen: no /ready tells a load balancer "
                + "to stop sending clients during the delay\n");
    }

    // ---- --version

    @Test
    void versionNamesTheBuildTheCommitAndTheJava() {
        Properties build = new Properties();
        build.setProperty("version", "1.2.3");
        build.setProperty("commit", "0123456789ab");
        build.setProperty("dirty", "false");
        String[] lines = new BuildInfo(build).getVersion();
        assertThat(lines[0]).isEqualTo("postern 1.2.3 (commit 0123456789ab)");
        assertThat(lines[1]).startsWith("Java " + Runtime.version() + " (").endsWith(System.getProperty("java.home") + ")");

        build.setProperty("dirty", "true");
        assertThat(new BuildInfo(build).getVersion()[0]).isEqualTo("postern 1.2.3 (commit 0123456789ab, with uncommitted changes)");
    }

    @Test
    void aBuildOutsideGitHasNoCommit() {
        Properties build = new Properties();
        build.setProperty("version", "1.2.3");
        build.setProperty("commit", "${git.commit.id.abbrev}");
        build.setProperty("dirty", "${git.dirty}");
        assertThat(new BuildInfo(build).getVersion()[0]).isEqualTo("postern 1.2.3");
        assertThat(new BuildInfo(new Properties()).getVersion()[0]).isEqualTo("postern unknown");
    }

    @Test
    void versionFlagPrintsTheBuiltVersionAndExitsZero() {
        ServeCommandTest.Run r = run(Map.of(), "--version");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("postern " + new BuildInfo().version()).contains("\nJava ");
        assertThat(new BuildInfo().version()).as("filled in by the build").doesNotContain("${").isNotEqualTo("unknown");
    }
}
