package dev.postern.server;

import dev.postern.LineEndingPolicy;
import dev.postern.Listener;
import dev.postern.PathSyntax;
import dev.postern.SmtpServerConfig;
import dev.postern.auth.AuthConfig;
import dev.postern.auth.AuthMechanism;
import dev.postern.proxy.ProxyProtocolMode;
import dev.postern.proxy.TrustedSources;
import dev.postern.relay.client.RelayTarget;
import dev.postern.relay.client.SocksProxy;
import dev.postern.relay.client.TlsMode;
import dev.postern.tls.StartTlsMode;
import dev.postern.tls.TlsConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

// A usage error that is not caught would start a server and wait for SIGTERM: fail instead.
@Timeout(30)
class ServeCommandTest {

    @TempDir
    Path dir;

    /** Parses {@code postern serve ARGS} and resolves the settings, without starting anything. */
    static ServeSettings settings(String... args) {
        return settings(Map.of(), args);
    }

    /** The same, with {@code environment} as the process's environment (POSTERN_* variables). */
    static ServeSettings settings(Map<String, String> environment, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "serve";
        System.arraycopy(args, 0, all, 1, args.length);
        CommandLine.ParseResult parsed = PosternMain.commandLine(environment).parseArgs(all);
        ServeCommand serve = parsed.subcommand().commandSpec().commandLine().getCommand();
        return serve.settings();
    }

    record Run(int exitCode, String out, String err) {
    }

    static Run run(String... args) {
        return run(Map.of(), args);
    }

    /** Runs the command line as {@code postern ARGS} would with these environment variables, capturing its output. */
    static Run run(Map<String, String> environment, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = PosternMain.commandLine(environment);
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        cl.getSubcommands().values().forEach(sub -> {
            sub.setOut(new PrintWriter(out));
            sub.setErr(new PrintWriter(err));
        });
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private Path yaml(String text) throws IOException {
        Path file = dir.resolve("postern.yml");
        Files.writeString(file, text);
        return file;
    }

    /** Each case: {@code postern serve BEFORE ARGS} exits with 2 and one line on stderr that contains its text. */
    static void assertUsageErrors(Map<List<String>, String> cases, String... before) {
        for (Map.Entry<List<String>, String> c : cases.entrySet()) {
            List<String> args = new ArrayList<>(List.of("serve"));
            args.addAll(List.of(before));
            args.addAll(c.getKey());
            Run r = run(args.toArray(String[]::new));
            assertThat(r.exitCode()).as(c.getKey().toString()).isEqualTo(2);
            assertThat(r.err()).as(c.getKey().toString()).startsWith("postern: ").contains(c.getValue());
            assertThat(r.err().strip().lines()).as(c.getKey().toString()).hasSize(1);
        }
    }

    /** Each case: a config file of that text is refused with a message naming the file and containing its text. */
    private void assertConfigErrors(Map<String, String> cases) throws IOException {
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Path file = yaml(c.getKey());
            assertThatThrownBy(() -> settings("--config", file.toString()))
                    .as(c.getKey())
                    .isInstanceOf(ParameterException.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining(c.getValue());
        }
    }

    @Test
    void defaultsAreTheLibraryDefaults() {
        ServeSettings s = settings();
        assertThat(s.server()).isEqualTo(SmtpServerConfig.builder().build());
        assertThat(s.server().listeners()).containsExactly(Listener.of("127.0.0.1", 2525));
        assertThat(s.maildir()).isEqualTo(Path.of("./mail"));
        assertThat(s.discard()).isFalse();
        assertThat(s.shutdownGrace()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.httpListen()).as("no monitoring endpoint unless asked for").isNull();
        assertThat(s.server().maxConnectionsPerClient()).isZero();
        assertThat(s.logLevel()).isEqualTo(LogThreshold.INFO);
        assertThat(s.warnings()).isEmpty();
        assertThat(s.server().listeners().get(0).proxyProtocol()).isEqualTo(ProxyProtocolMode.OFF);
        assertThat(s.server().proxyTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.server().xclientHosts()).isEqualTo(TrustedSources.NONE);
        assertThat(s.relay()).as("Maildir delivery unless --relay").isNull();
        assertThat(s.server().auth()).isEqualTo(AuthConfig.NONE);
        assertThat(s.auth()).isEqualTo(new AuthSettings(AuthConfig.NONE, null, false));
    }

    /** A setting of postern serve: as flags, as config-file lines, and what it makes of the settings. */
    private record Setting(String name, List<String> flags, String yaml, Consumer<ServeSettings> effect) {
    }

    /** {@code --KEY VALUE} on the command line, {@code KEY: VALUE} in the config file. */
    private static Setting same(String key, String value, Consumer<ServeSettings> effect) {
        return new Setting(key, List.of("--" + key, value), key + ": " + value, effect);
    }

    /** Files the relay settings name, made before the tests: the table of settings is static. */
    static final Path FILES = Path.of("target", "serve-command-test").toAbsolutePath();

    @BeforeAll
    static void writeTheFilesTheSettingsName() throws IOException {
        Files.createDirectories(FILES);
        Files.writeString(FILES.resolve("smarthost-ca.pem"), "read when the relay client starts\n");
        Files.writeString(FILES.resolve("relay-password"), "relay s3cret\nsecond line ignored\n");
        Files.writeString(FILES.resolve("socks-password"), "socks:s3cret\n");
        Files.writeString(FILES.resolve("users"), "alice:$2y$05$zX.GRVJfp14v6BlAaRgq6ukk.C4WqjzZ9fsv27ynGukBGTszDyObC\n");
        Files.setPosixFilePermissions(FILES.resolve("users"), PosixFilePermissions.fromString("rw-------"));
    }

    /** Two proxies, one with a password, in Exim's syntax; the config file gives the same as a list with pass-file. */
    private static final List<SocksProxy> PROXIES = List.of(
            new SocksProxy("127.0.0.1", 1081, SocksProxy.Auth.NONE, "", "", Duration.ofSeconds(2), 2, 1),
            new SocksProxy("::1", 1080, SocksProxy.Auth.NAME, "relay", "socks:s3cret", Duration.ofSeconds(5), 1, 3));

    /**
     * Every setting outside TLS, each as a flag and as a config key. They are given all at once, so
     * that none hides another; where the two forms differ, each is written as users write it. Not
     * {@code discard}, which excludes {@code relay} ({@link #discardThroughFlagAndConfigFile}).
     */
    private static final List<Setting> EVERY_SETTING = List.of(
            new Setting("listen, proxy-protocol, trusted-proxies",
                    List.of("--listen", "0.0.0.0:25", "--listen", "[::1]:2526",
                            "--proxy-protocol", "required", "--trusted-proxies", "10.0.0.0/8,::1"),
                    """
                    listen: ["0.0.0.0:25", "[::1]:2526"]
                    proxy-protocol: required
                    trusted-proxies: ["10.0.0.0/8", "::1"]""",
                    s -> assertThat(s.server().listeners()).containsExactly(
                            proxied("0.0.0.0", 25, ProxyProtocolMode.REQUIRED, "10.0.0.0/8,::1"),
                            proxied("::1", 2526, ProxyProtocolMode.REQUIRED, "10.0.0.0/8,::1"))),
            same("proxy-timeout", "2s", s -> assertThat(s.server().proxyTimeout()).isEqualTo(Duration.ofSeconds(2))),
            same("proxy-optional-wait", "250ms", s -> assertThat(s.server().proxyOptionalWait()).isEqualTo(Duration.ofMillis(250))),
            same("xclient-hosts", "192.0.2.0/24", s -> assertThat(s.server().xclientHosts()).isEqualTo(TrustedSources.parse("192.0.2.0/24"))),
            new Setting("xforward-hosts", List.of("--xforward-hosts", "198.51.100.7,10.3.0.0/16"),
                    "xforward-hosts: [198.51.100.7, 10.3.0.0/16]",
                    s -> assertThat(s.server().xforwardHosts()).isEqualTo(TrustedSources.parse("198.51.100.7,10.3.0.0/16"))),
            same("ignored-hosts", "203.0.113.0/24,2001:db8::/32",
                    s -> assertThat(s.server().ignoredHosts()).isEqualTo(TrustedSources.parse("203.0.113.0/24,2001:db8::/32"))),
            same("log-level", "warn", s -> assertThat(s.logLevel()).isEqualTo(LogThreshold.WARN)),
            same("log-format", "json", s -> assertThat(s.logFormat()).isEqualTo(LogFormat.JSON)),
            same("maildir", "/var/mail/postern", s -> assertThat(s.maildir()).isEqualTo(Path.of("/var/mail/postern"))),
            same("hostname", "mx.example.org", s -> assertThat(s.server().hostname()).isEqualTo("mx.example.org")),
            same("max-message-size", "10M", s -> assertThat(s.server().maxMessageSize()).isEqualTo(10L * 1024 * 1024)),
            same("max-recipients", "7", s -> assertThat(s.server().maxRecipients()).isEqualTo(7)),
            same("max-errors", "3", s -> assertThat(s.server().maxErrors()).isEqualTo(3)),
            same("command-timeout", "30s", s -> assertThat(s.server().commandTimeout()).isEqualTo(Duration.ofSeconds(30))),
            new Setting("data-timeout", List.of("--data-timeout", "PT2M"), "data-timeout: 120s",
                    s -> assertThat(s.server().dataTimeout()).isEqualTo(Duration.ofMinutes(2))),
            same("session-deadline", "1h", s -> assertThat(s.server().sessionDeadline()).isEqualTo(Duration.ofHours(1))),
            same("max-connections", "50", s -> assertThat(s.server().maxConnections()).isEqualTo(50)),
            same("max-connections-per-client", "3", s -> assertThat(s.server().maxConnectionsPerClient()).isEqualTo(3)),
            new Setting("http-listen", List.of("--http-listen", ":9100"), "http-listen: \":9100\"",
                    s -> assertThat(s.httpListen()).as("every interface").isEqualTo(Listener.of("*", 9100))),
            same("max-processings", "8", s -> assertThat(s.server().maxProcessings()).isEqualTo(8)),
            same("io-threads", "2", s -> assertThat(s.server().ioThreads()).isEqualTo(2)),
            same("line-endings", "strict", s -> assertThat(s.server().lineEndings()).isEqualTo(LineEndingPolicy.STRICT)),
            new Setting("reverse-dns", List.of("--reverse-dns"), "reverse-dns: true",
                    s -> assertThat(s.server().reverseDnsLookup()).isTrue()),
            same("shutdown-grace", "500ms", s -> assertThat(s.shutdownGrace()).isEqualTo(Duration.ofMillis(500))),
            same("relay", "smtp://smarthost.example.org:587,[2001:db8::25]", s -> assertThat(s.relay().client().target())
                    .isEqualTo(RelayTarget.parse("smtp://smarthost.example.org:587,[2001:db8::25]"))),
            new Setting("domains", List.of("--domains", "Example.ORG,example.net", "--domains", "example.com"),
                    "domains: [Example.ORG, example.net, example.com]",
                    s -> assertThat(s.relay().access().toString()).startsWith("domains example.org,example.net,example.com,")),
            new Setting("relay-networks", List.of("--relay-networks", "10.0.0.0/8, 192.168.1.0/24", "--relay-networks", "::1"),
                    "relay-networks: [10.0.0.0/8, 192.168.1.0/24, \"::1\"]",
                    s -> assertThat(s.relay().access().toString()).endsWith("relay networks 10.0.0.0/8,192.168.1.0/24,0:0:0:0:0:0:0:1/128")),
            same("queue-dir", "/var/spool/postern", s -> assertThat(s.relay().queueDir()).isEqualTo(Path.of("/var/spool/postern"))),
            same("queue-max-size", "2G", s -> assertThat(s.relay().limits().maxBytes()).isEqualTo(2L << 30)),
            same("queue-max-messages", "500", s -> assertThat(s.relay().limits().maxMessages()).isEqualTo(500)),
            same("retry-schedule", "1s,30s,5m", s -> assertThat(s.relay().delivery().retry().steps())
                    .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(5))),
            same("max-queue-time", "2d", s -> assertThat(s.relay().delivery().retry().maxQueueTime()).isEqualTo(Duration.ofDays(2))),
            same("max-deliveries", "20", s -> {
                assertThat(s.relay().delivery().maxConcurrent()).isEqualTo(20);
                assertThat(s.relay().client().maxConnections()).isEqualTo(20);
            }),
            same("max-connections-per-destination", "4", s -> {
                assertThat(s.relay().delivery().maxPerRoute()).isEqualTo(4);
                assertThat(s.relay().client().maxConnectionsPerDestination()).isEqualTo(4);
            }),
            same("relay-tls", "verify", s -> assertThat(s.relay().client().tlsMode()).isEqualTo(TlsMode.VERIFY)),
            same("relay-tls-ca", FILES.resolve("smarthost-ca.pem").toString(),
                    s -> assertThat(s.relay().client().caFile()).isEqualTo(FILES.resolve("smarthost-ca.pem"))),
            new Setting("relay-user, relay-password-file",
                    List.of("--relay-user", "postern", "--relay-password-file", FILES.resolve("relay-password").toString()),
                    "relay-user: postern\nrelay-password-file: " + FILES.resolve("relay-password"), s -> {
                        assertThat(s.relay().client().authUser()).isEqualTo("postern");
                        assertThat(s.relay().client().authPassword()).isEqualTo("relay s3cret");
                    }),
            new Setting("socks-proxy", List.of("--socks-proxy",
                    "<; 127.0.0.1 port=1081 tmo=2 pri=2 ; ::1 auth=name name=relay pass=socks:s3cret weight=3"),
                    """
                    socks-proxy:
                      - address: 127.0.0.1
                        port: 1081
                        tmo: 2s
                        pri: 2
                      - address: "::1"
                        name: relay
                        pass-file: %s
                        weight: 3""".formatted(FILES.resolve("socks-password")),
                    s -> assertThat(s.relay().client().socksProxies()).isEqualTo(PROXIES)),
            same("dns-server", "127.0.0.1:5353",
                    s -> assertThat(s.relay().client().dnsServer()).isEqualTo(new InetSocketAddress("127.0.0.1", 5353))),
            same("mx-port", "2525", s -> assertThat(s.relay().client().mxPort()).isEqualTo(2525)),
            new Setting("auth, users, auth-allow-plaintext",
                    List.of("--auth", "required", "--users", FILES.resolve("users").toString(), "--auth-allow-plaintext"),
                    "auth: required\nusers: " + FILES.resolve("users") + "\nauth-allow-plaintext: true", s -> {
                        assertThat(s.server().auth().required()).isTrue();
                        assertThat(s.server().auth().allowPlaintext()).isTrue();
                        assertThat(s.auth().config()).isEqualTo(s.server().auth());
                        assertThat(s.auth().users().file()).isEqualTo(FILES.resolve("users"));
                        assertThat(s.auth().users().users().lookup("alice")).isPresent();
                    }),
            new Setting("auth-mechanisms", List.of("--auth-mechanisms", "cram-md5,LOGIN", "--auth-mechanisms", "PLAIN"),
                    "auth-mechanisms: [cram-md5, LOGIN, PLAIN]", s -> assertThat(s.server().auth().mechanisms())
                            .containsExactly(AuthMechanism.CRAM_MD5, AuthMechanism.LOGIN, AuthMechanism.PLAIN)),
            new Setting("received-auth-user", List.of("--received-auth-user"), "received-auth-user: true",
                    s -> assertThat(s.auth().receivedAuthUser()).isTrue()),
            same("max-auth-failures", "3", s -> assertThat(s.server().maxAuthFailures()).isEqualTo(3)),
            same("auth-failure-window", "90s", s -> assertThat(s.server().authFailureWindow()).isEqualTo(Duration.ofSeconds(90))),
            same("max-connection-rate", "30/1m", s -> {
                assertThat(s.server().maxConnectionRate()).isEqualTo(30);
                assertThat(s.server().connectionRatePeriod()).isEqualTo(Duration.ofMinutes(1));
            }),
            same("paths", "lenient", s -> assertThat(s.server().pathSyntax()).isEqualTo(PathSyntax.LENIENT)));

    /** The three ways to give settings. */
    enum Source { FLAGS, CONFIG_FILE, ENVIRONMENT }

    /**
     * Flags as environment variables, as a container sets them: {@code --max-errors 3} is POSTERN_MAX_ERRORS=3, a
     * repeated flag one comma-separated variable, a switch {@code true}.
     */
    static Map<String, String> asEnvironment(List<String> flags) {
        Map<String, String> environment = new LinkedHashMap<>();
        for (int i = 0; i < flags.size(); i++) {
            String name = "POSTERN_" + flags.get(i).substring(2).toUpperCase(java.util.Locale.ROOT).replace('-', '_');
            boolean isSwitch = i + 1 == flags.size() || flags.get(i + 1).startsWith("--");
            String value = isSwitch ? "true" : flags.get(++i);
            environment.merge(name, value, (a, b) -> a + "," + b);
        }
        return environment;
    }

    @ParameterizedTest(name = "through {0}")
    @EnumSource(Source.class)
    void everySettingReachesTheSettings(Source source) throws IOException {
        ServeSettings s = switch (source) {
            case FLAGS -> settings(EVERY_SETTING.stream().flatMap(setting -> setting.flags().stream()).toArray(String[]::new));
            case CONFIG_FILE -> settings("--config", yaml(EVERY_SETTING.stream().map(Setting::yaml)
                    .collect(Collectors.joining("\n", "", "\n"))).toString());
            case ENVIRONMENT -> settings(asEnvironment(EVERY_SETTING.stream().flatMap(setting -> setting.flags().stream()).toList()));
        };
        assertThat(s.warnings()).as("no variable is misspelt").noneMatch(w -> w.contains("environment variable"));
        for (Setting setting : EVERY_SETTING) {
            assertThat(s).as(setting.name()).satisfies(setting.effect()::accept);
        }
    }

    @ParameterizedTest(name = "through {0}")
    @EnumSource(Source.class)
    void discardThroughFlagAndConfigFile(Source source) throws IOException {
        ServeSettings s = switch (source) {
            case FLAGS -> settings("--discard");
            case CONFIG_FILE -> settings("--config", yaml("discard: true\n").toString());
            case ENVIRONMENT -> settings(Map.of("POSTERN_DISCARD", "true"));
        };
        assertThat(s.discard()).isTrue();
        assertThat(s.relay()).isNull();
    }

    @Test
    void listenTakesCommaSeparatedAddressesAndAnyInterface() {
        assertThat(settings("--listen", "127.0.0.1:25,:587").server().listeners())
                .containsExactly(Listener.of("127.0.0.1", 25), Listener.of("*", 587));
    }

    @Test
    void lineEndingsIgnoreCase() {
        assertThat(settings("--line-endings", "LEAVE").server().lineEndings()).isEqualTo(LineEndingPolicy.LEAVE);
    }

    @Test
    void configFileMayGiveOneListenAddressWithoutAList() throws IOException {
        Path file = yaml("listen: 127.0.0.1:2700\n");
        assertThat(settings("--config", file.toString()).server().listeners()).containsExactly(Listener.of("127.0.0.1", 2700));
    }

    @Test
    void emptyConfigFileKeepsTheDefaults() throws IOException {
        Path file = yaml("# nothing set\n");
        assertThat(settings("--config", file.toString()).server()).isEqualTo(SmtpServerConfig.builder().build());
    }

    @Test
    void flagsOverrideTheConfigFileAndTheFileOverridesDefaults() throws IOException {
        Path file = yaml("""
                listen: ["127.0.0.1:2600", "127.0.0.1:2601"]
                max-recipients: 42
                max-errors: 5
                discard: true
                """);
        ServeSettings s = settings("--max-recipients", "7", "--config", file.toString(), "--listen", "127.0.0.1:2999");
        assertThat(s.server().maxRecipients()).isEqualTo(7);
        assertThat(s.server().listeners()).as("a flag replaces the file's whole list")
                .containsExactly(Listener.of("127.0.0.1", 2999));
        assertThat(s.server().maxErrors()).isEqualTo(5);
        assertThat(s.discard()).isTrue();
        assertThat(s.server().maxConnections()).isEqualTo(1000);
    }

    @Test
    void unknownConfigKeyIsAnErrorNamingTheKeyAndTheKnownOnes() throws IOException {
        Path file = yaml("max-mesage-size: 10M\n");
        assertThatThrownBy(() -> settings("--config", file.toString()))
                .isInstanceOf(ParameterException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("unknown key 'max-mesage-size'")
                .hasMessageContaining("max-message-size")
                .hasMessageNotContaining("config,")
                .hasMessageNotContaining("help");
    }

    @Test
    void configFileCannotNameItself() throws IOException {
        Path file = yaml("config: other.yml\n");
        assertThatThrownBy(() -> settings("--config", file.toString())).hasMessageContaining("unknown key 'config'");
    }

    @Test
    void badConfigFilesAreErrorsNamingTheFile() throws IOException {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("max-message-size: 10Q\n", "'10Q' is not a size");
        cases.put("command-timeout: 300\n", "'300' is not a duration");
        cases.put("max-recipients: many\n", "'many' is not an int");
        cases.put("line-endings: loose\n", "'loose' is not one of strict, normalize, leave");
        cases.put("listen: nowhere\n", "listen address must be HOST:PORT");
        cases.put("max-errors: [1, 2]\n", "'max-errors' takes one value, not a list");
        cases.put("discard: yes please\n", "'discard' must be true or false");
        cases.put("hostname:\n", "'hostname' has no value");
        cases.put("maildir: {path: x}\n", "'maildir' must be a value, not a mapping");
        cases.put("listen: [[\"a:1\"]]\n", "listen entry 1: must be \"HOST:PORT\" or a mapping with 'address'");
        cases.put("- listen\n", "expected a mapping of settings");
        cases.put("listen: [\"a:1\"\nmaildir: x\n", "line 2");
        cases.put("max-errors: 1\nmax-errors: 2\n", "duplicate key max-errors");
        assertConfigErrors(cases);
    }

    @Test
    void badConfigValueIsAnErrorEvenWhenAFlagOverridesIt() throws IOException {
        Path file = yaml("max-recipients: many\n");
        assertThatThrownBy(() -> settings("--config", file.toString(), "--max-recipients", "3"))
                .hasMessageContaining("'many' is not an int");
    }

    @Test
    void missingConfigFileIsAnError() {
        Path missing = dir.resolve("missing.yml");
        assertThatThrownBy(() -> settings("--config", missing.toString()))
                .isInstanceOf(ParameterException.class)
                .hasMessageContaining("cannot read config file " + missing);
    }

    @Test
    void settingsTheLibraryRefusesAreUsageErrors() {
        assertThatThrownBy(() -> settings("--max-recipients", "0")).isInstanceOf(ParameterException.class)
                .hasMessageContaining("--max-recipients must be positive");
        assertThatThrownBy(() -> settings("--command-timeout", "0s")).isInstanceOf(ParameterException.class)
                .hasMessageContaining("--command-timeout must be positive");
        assertThatThrownBy(() -> settings("--hostname", "two words")).isInstanceOf(ParameterException.class);
        assertThatThrownBy(() -> settings("--shutdown-grace", "PT-1S")).isInstanceOf(ParameterException.class)
                .hasMessageContaining("shutdown grace must not be negative");
    }

    @Test
    void usageErrorsExitWith2AndOneLineWithoutStackTrace() throws IOException {
        Path badConfig = yaml("nope: 1\n");
        List<String[]> cases = List.of(
                new String[] {"serve", "--max-message-size", "lots"},
                new String[] {"serve", "--no-such-flag"},
                new String[] {"serve", "--max-recipients", "0"},
                new String[] {"serve", "--config", badConfig.toString()},
                new String[] {"serve", "--listen"},
                new String[] {"frobnicate"},
                new String[] {});
        for (String[] args : cases) {
            Run r = run(args);
            assertThat(r.exitCode()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err()).as(String.join(" ", args)).startsWith("postern: ").doesNotContain("\tat ");
            assertThat(r.err().strip().lines()).as(String.join(" ", args)).hasSize(1);
            assertThat(r.out()).isEmpty();
        }
    }

    @Test
    void authSettingsThatCannotWorkExitWith2AndOneLine() throws IOException {
        Path users = FILES.resolve("users").toAbsolutePath();
        Path open = Files.writeString(dir.resolve("open-users"), "alice:{plain}hunter2\n");
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
        Path bad = Files.writeString(dir.resolve("bad-users"), "alice hunter2\n");
        Files.setPosixFilePermissions(bad, PosixFilePermissions.fromString("rw-------"));
        Map<List<String>, String> cases = new LinkedHashMap<>();
        cases.put(List.of("--auth", "required"), "--auth required needs --users FILE");
        cases.put(List.of("--auth", "optional", "--users", users.toString()), "--auth optional offers AUTH only over TLS, "
                + "and no connection can have TLS");
        cases.put(List.of("--auth", "optional", "--users", users.toString(), "--tls-self-signed", "--starttls", "off"),
                "no connection can have TLS");
        cases.put(List.of("--auth", "optional", "--users", users.toString(), "--auth-allow-plaintext", "--auth-mechanisms",
                "PLAIN,XOAUTH2"), "--auth-mechanisms XOAUTH2: a users file holds passwords and cannot check OAuth 2.0 bearer tokens");
        cases.put(List.of("--auth", "optional", "--users", users.toString(), "--auth-allow-plaintext", "--auth-mechanisms",
                "PLAIN,LOGIN,plain"), "--auth-mechanisms lists a mechanism twice: PLAIN,LOGIN,PLAIN");
        cases.put(List.of("--auth-mechanisms", "GSSAPI"), "'GSSAPI' is not one of PLAIN, LOGIN, CRAM-MD5, XOAUTH2");
        cases.put(List.of("--auth", "yes"), "'yes' is not one of off, optional, required");
        cases.put(List.of("--auth", "optional", "--users", open.toString(), "--auth-allow-plaintext"), "users file " + open
                + " is rw-r--r--: its group and other users may read or change the password hashes; make it readable by "
                + "this server's user only (chmod 600 " + open + ")");
        cases.put(List.of("--auth", "optional", "--users", bad.toString(), "--auth-allow-plaintext"),
                bad + " line 1: expected user:hash (no colon)");
        cases.put(List.of("--auth", "optional", "--users", dir.resolve("none").toString(), "--auth-allow-plaintext"),
                "users file " + dir.resolve("none") + " is missing or not a regular file");
        cases.put(List.of("--max-connection-rate", "30"), "'30' is not N/PERIOD, e.g. 30/1m (connections per period)");
        cases.put(List.of("--max-connection-rate", "many/1m"), "'many/1m' is not N/PERIOD");
        cases.put(List.of("--max-connection-rate", "30/soon"), "'30/soon': ");
        cases.put(List.of("--max-connection-rate", "30/0s"), "invalid settings: ");
        cases.put(List.of("--max-auth-failures", "-1"), "invalid settings: ");
        cases.put(List.of("--auth-failure-window", "0s"), "invalid settings: ");
        // the library names its field; the error names the option
        cases.put(List.of("--command-timeout", "0s"), "invalid settings: --command-timeout must be positive: PT0S");
        cases.put(List.of("--paths", "loose"), "'loose' is not one of strict, lenient");
        assertUsageErrors(cases, "--listen", "127.0.0.1:0");
        for (List<String> c : cases.keySet()) {
            assertThat(run(c.toArray(String[]::new)).err()).as("never a line of the file").doesNotContain("hunter2");
        }
    }

    @Test
    void aListenerOfTheFileWithProxySettingsButNoTrustedProxiesIsAnErrorNamingTheFile() throws IOException {
        Path file = yaml("""
                listen:
                  - address: "[::1]:2527"
                    proxy-protocol: optional
                """);
        assertThatThrownBy(() -> settings("--config", file.toString()))
                .hasMessageContaining("listener [::1]:2527 has --proxy-protocol optional but no trusted proxies")
                .hasMessageContaining(file.toString());
    }

    @Test
    void aSettingTheLibraryRefusesNamesItsOptionAndTheConfigFile() throws IOException {
        Path file = yaml("command-timeout: 0m\n");
        assertThatThrownBy(() -> settings("--config", file.toString()))
                .hasMessageContaining("invalid settings (flags, environment and " + file + "): --command-timeout must be positive");
    }

    @Test
    void authWarnsAboutWhatItCannotUse() {
        String users = FILES.resolve("users").toString();
        assertThat(settings("--users", users, "--auth-mechanisms", "PLAIN").warnings())
                .containsExactly("--users, --auth-mechanisms not used: --auth is off");
        assertThat(settings("--auth", "optional", "--users", users, "--auth-allow-plaintext").warnings())
                .containsExactly("--auth-allow-plaintext: PLAIN and LOGIN send passwords in clear on connections without TLS");
        assertThat(settings("--auth", "optional", "--users", users, "--auth-allow-plaintext", "--auth-mechanisms", "CRAM-MD5")
                .warnings()).containsExactly("--auth-mechanisms offers CRAM-MD5 but users file " + users + " has no {plain} "
                + "password, which CRAM-MD5 needs: every CRAM-MD5 attempt will fail");
        ServeSettings tls = settings("--auth", "optional", "--users", users, "--tls-self-signed");
        assertThat(tls.server().auth()).isEqualTo(new AuthConfig(List.of(AuthMechanism.PLAIN, AuthMechanism.LOGIN), false, false));
        assertThat(tls.warnings()).noneMatch(w -> w.contains("auth") || w.contains("users"));
        assertThat(settings("--auth", "optional", "--users", users, "--tls-self-signed", "--starttls", "off", "--tls-listen",
                "127.0.0.1:0").server().auth().enabled()).as("implicit TLS is TLS").isTrue();
    }

    @Test
    void serverFailureExitsWith1AndOneLine() throws IOException {
        Path file = Files.writeString(dir.resolve("plain-file"), "x");
        Run r = run("serve", "--maildir", file.resolve("mail").toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("postern: cannot create maildir " + file.resolve("mail"));
        assertThat(r.err().strip().lines()).hasSize(1);
    }

    @Test
    void badMonitoringAndPerClientValuesExitWith2AndOneLine() throws IOException {
        Map<List<String>, String> cases = new LinkedHashMap<>();
        cases.put(List.of("--http-listen", "9025"), "listen address must be HOST:PORT: 9025");
        cases.put(List.of("--http-listen", "127.0.0.1:http"), "bad port in listen address: 127.0.0.1:http");
        cases.put(List.of("--http-listen", "127.0.0.1:65536"), "listener port out of range: 65536");
        cases.put(List.of("--http-listen", "::1:9025"), "write IPv6 listen addresses as [ADDR]:PORT");
        cases.put(List.of("--max-connections-per-client", "-1"), "--max-connections-per-client must not be negative (0 = no limit)");
        cases.put(List.of("--max-connections-per-client", "two"), "'two' is not an int");
        cases.put(List.of("--config", yaml("http-listen: [\"127.0.0.1:1\", \"127.0.0.1:2\"]\n").toString()),
                "'http-listen' takes one value, not a list");
        assertUsageErrors(cases, "--listen", "127.0.0.1:0");
    }

    @Test
    void httpPortInUseExitsWith1AndOneLine() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            String address = "127.0.0.1:" + taken.getLocalPort();
            Run r = run("serve", "--listen", "127.0.0.1:0", "--maildir", dir.resolve("mail").toString(), "--http-listen", address);
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.err()).startsWith("postern: cannot listen on --http-listen " + address + ": ");
            assertThat(r.err().strip().lines()).hasSize(1);
        }
    }

    @Test
    void helpListsEveryFlagWithItsDefault() {
        Run r = run("serve", "--help");
        assertThat(r.exitCode()).isZero();
        Map<String, String> blocks = optionBlocks(r.out());
        List<OptionSpec> options = PosternMain.commandLine(Map.of()).getSubcommands().get("serve").getCommandSpec().options();
        assertThat(options).hasSizeGreaterThanOrEqualTo(26);
        for (OptionSpec o : options) {
            assertThat(blocks).as("help of " + o.longestName()).containsKey(o.longestName());
            if (o.usageHelp()) {
                continue;
            }
            String text = blocks.get(o.longestName());
            assertThat(text).as(o.longestName()).contains("Default: ");
            if (o.defaultValue() != null) {
                // The help wraps a long default after a comma, which the joined lines show as ", ".
                assertThat(text.replace(", ", ",")).as(o.longestName()).contains("Default: " + o.defaultValue() + ".");
            }
        }
        for (String required : List.of("--config", "--listen", "--maildir", "--hostname", "--max-message-size",
                "--max-recipients", "--max-errors", "--command-timeout", "--max-connections", "--line-endings",
                "--max-connections-per-client", "--discard", "--shutdown-grace", "--http-listen", "--proxy-protocol", "--trusted-proxies", "--proxy-timeout",
                "--proxy-optional-wait", "--xclient-hosts", "--xforward-hosts", "--ignored-hosts", "--log-level",
                "--tls-listen", "--tls-cert", "--tls-key", "--tls-key-password-file", "--tls-self-signed", "--starttls",
                "--tls-protocols", "--tls-ciphers", "--tls-client-auth", "--tls-client-ca", "--tls-handshake-timeout",
                "--tls-reload-interval")) {
            assertThat(blocks).containsKey(required);
        }
    }

    // ---- PROXY protocol and trusted hosts

    private static Listener proxied(String host, int port, ProxyProtocolMode mode, String trusted) {
        return Listener.of(host, port).withProxyProtocol(mode, TrustedSources.parse(trusted));
    }

    @Test
    void trustedProxiesMayBeRepeatedAndCommaSeparated() {
        ServeSettings s = settings("--proxy-protocol", "optional", "--trusted-proxies", "127.0.0.1/32, 10.0.0.0/8",
                "--trusted-proxies", "::1");
        assertThat(s.server().listeners()).containsExactly(
                proxied("127.0.0.1", 2525, ProxyProtocolMode.OPTIONAL, "127.0.0.1/32,10.0.0.0/8,::1"));
    }

    @Test
    void proxyProtocolIgnoresCase() {
        assertThat(settings("--proxy-protocol", "REQUIRED", "--trusted-proxies", "::1").server().listeners().get(0)
                .proxyProtocol()).isEqualTo(ProxyProtocolMode.REQUIRED);
    }

    @Test
    void proxyProtocolWithoutTrustedProxiesIsAUsageError() {
        for (String mode : List.of("optional", "required")) {
            Run r = run("serve", "--listen", "127.0.0.1:0", "--proxy-protocol", mode);
            assertThat(r.exitCode()).as(mode).isEqualTo(2);
            assertThat(r.err()).as(mode)
                    .startsWith("postern: listener 127.0.0.1:0 has --proxy-protocol " + mode + " but no trusted proxies")
                    .contains("--trusted-proxies CIDR[,CIDR...]");
            assertThat(r.err().strip().lines()).hasSize(1);
        }
        assertThatThrownBy(() -> settings("--proxy-protocol", "required", "--trusted-proxies", ""))
                .isInstanceOf(ParameterException.class).hasMessageContaining("no trusted proxies");
    }

    @Test
    void trustingEveryoneIsAllowedExplicitly() {
        ServeSettings s = settings("--proxy-protocol", "required", "--trusted-proxies", "*", "--xclient-hosts", "*",
                "--xforward-hosts", "*");
        assertThat(s.server().listeners().get(0).trustedProxies().isWildcard()).isTrue();
        assertThat(s.server().xclientHosts().isWildcard()).isTrue();
        assertThat(s.warnings()).hasSize(2).anySatisfy(w -> assertThat(w).startsWith("--xclient-hosts '*'"))
                .anySatisfy(w -> assertThat(w).startsWith("--xforward-hosts '*'"));
    }

    @Test
    void trustedProxiesWithProxyProtocolOffIsAWarning() {
        ServeSettings s = settings("--trusted-proxies", "10.0.0.0/8");
        assertThat(s.server().listeners()).containsExactly(proxied("127.0.0.1", 2525, ProxyProtocolMode.OFF, "10.0.0.0/8"));
        assertThat(s.warnings()).singleElement().asString().contains("--proxy-protocol off: no PROXY header is read");
    }

    @Test
    void badProxyValuesAreUsageErrorsNamingTheValue() {
        Map<List<String>, String> cases = new LinkedHashMap<>();
        cases.put(List.of("--proxy-protocol", "sometimes"), "'sometimes' is not one of off, optional, required");
        cases.put(List.of("--trusted-proxies", "10.0.0.0/33"), "10.0.0.0/33");
        cases.put(List.of("--trusted-proxies", "proxy.example.org"), "proxy.example.org");
        cases.put(List.of("--trusted-proxies", "*,10.0.0.0/8"), "'*' must stand alone");
        cases.put(List.of("--xclient-hosts", "10.0.0.0/8,,::1"), "empty element");
        cases.put(List.of("--trusted-proxies", "*", "--trusted-proxies", "::1"), "'*' must stand alone");
        cases.put(List.of("--ignored-hosts", "nope"), "nope");
        cases.put(List.of("--proxy-timeout", "0s"), "--proxy-timeout must be positive");
        cases.put(List.of("--proxy-optional-wait", "soon"), "'soon' is not a duration");
        cases.put(List.of("--log-level", "loud"), "'loud' is not one of error, warn, info, debug, off");
        assertUsageErrors(cases);
    }

    @Test
    void configFileListenEntriesMayCarryTheirOwnProxySettings() throws IOException {
        Path file = yaml("""
                listen:
                  - "127.0.0.1:2600"
                  - address: "127.0.0.1:2601"
                    proxy-protocol: required
                    trusted-proxies: ["10.0.0.0/8", "::1"]
                  - address: "[::1]:2602"
                    proxy-protocol: off
                  - address: ":2603"
                    trusted-proxies: 192.0.2.1,192.0.2.2
                proxy-protocol: optional
                trusted-proxies: 127.0.0.1/32
                """);
        assertThat(settings("--config", file.toString()).server().listeners()).containsExactly(
                proxied("127.0.0.1", 2600, ProxyProtocolMode.OPTIONAL, "127.0.0.1/32"),
                proxied("127.0.0.1", 2601, ProxyProtocolMode.REQUIRED, "10.0.0.0/8,::1"),
                proxied("::1", 2602, ProxyProtocolMode.OFF, "127.0.0.1/32"),
                proxied("*", 2603, ProxyProtocolMode.OPTIONAL, "192.0.2.1,192.0.2.2"));
    }

    @Test
    void configFileListenEntriesMayHaveANameThatTheSessionSees() throws IOException {
        Path file = yaml("""
                listen:
                  - address: "127.0.0.1:2600"
                    name: submission
                    tls: implicit
                  - "127.0.0.1:2601"
                tls: {self-signed: true}
                """);
        List<Listener> listeners = settings("--config", file.toString()).server().listeners();
        assertThat(listeners.get(0).name()).isEqualTo("submission");
        assertThat(listeners.get(0).implicitTls()).isTrue();
        assertThat(listeners.get(1).name()).isNull();
        assertThatThrownBy(() -> settings("--config", yaml("listen: [{address: \"127.0.0.1:1\", name: \"a b\"}]\n").toString()))
                .hasMessageContaining("listen entry 1: ");
    }

    @Test
    void lmtpListenersComeFromTheirFlagOrFromListenEntriesWithProtocolLmtp() throws IOException {
        assertThat(settings("--lmtp-listen", "127.0.0.1:2424,[::1]:2425").server().listeners()).containsExactly(
                Listener.of("127.0.0.1", 2525), Listener.of("127.0.0.1", 2424).withLmtp(true), Listener.of("::1", 2425).withLmtp(true));
        Path file = yaml("""
                listen:
                  - "127.0.0.1:2600"
                  - address: "127.0.0.1:2424"
                    protocol: lmtp
                    name: mda
                  - address: "127.0.0.1:2601"
                    protocol: SMTP
                """);
        assertThat(settings("--config", file.toString()).server().listeners()).containsExactly(Listener.of("127.0.0.1", 2600),
                Listener.of("127.0.0.1", 2424).withLmtp(true).withName("mda"), Listener.of("127.0.0.1", 2601));
        // each flag replaces its own kind of entry only
        assertThat(settings("--config", file.toString(), "--lmtp-listen", "127.0.0.1:2999").server().listeners()).containsExactly(
                Listener.of("127.0.0.1", 2600), Listener.of("127.0.0.1", 2601), Listener.of("127.0.0.1", 2999).withLmtp(true));
        assertThat(settings("--config", file.toString(), "--listen", "127.0.0.1:2998").server().listeners()).containsExactly(
                Listener.of("127.0.0.1", 2424).withLmtp(true).withName("mda"), Listener.of("127.0.0.1", 2998));
        assertThatThrownBy(() -> settings("--config", yaml("listen: [{address: \"127.0.0.1:1\", protocol: esmtp}]\n").toString()))
                .hasMessageContaining("listen entry 1: 'protocol' must be smtp (the default) or lmtp");
        assertThatThrownBy(() -> settings("--config", yaml("lmtp-listen: \"127.0.0.1:1\"\n").toString()))
                .hasMessageContaining("LMTP listeners are listen entries with 'protocol: lmtp'");
    }

    @Test
    void proxyFlagsOverrideEveryListenerOfTheConfigFile() throws IOException {
        Path file = yaml("""
                listen:
                  - address: "127.0.0.1:2601"
                    proxy-protocol: required
                    trusted-proxies: ["10.0.0.0/8"]
                  - "127.0.0.1:2602"
                """);
        assertThat(settings("--config", file.toString(), "--proxy-protocol", "off").server().listeners()).containsExactly(
                proxied("127.0.0.1", 2601, ProxyProtocolMode.OFF, "10.0.0.0/8"),
                proxied("127.0.0.1", 2602, ProxyProtocolMode.OFF, ""));
        assertThat(settings("--config", file.toString(), "--trusted-proxies", "::1", "--proxy-protocol", "optional")
                .server().listeners()).containsExactly(
                proxied("127.0.0.1", 2601, ProxyProtocolMode.OPTIONAL, "::1"),
                proxied("127.0.0.1", 2602, ProxyProtocolMode.OPTIONAL, "::1"));
        assertThatThrownBy(() -> settings("--config", file.toString(), "--proxy-protocol", "optional"))
                .as("the second listener has no trusted proxies of its own or from a flag")
                .hasMessageContaining("listener 127.0.0.1:2602 has --proxy-protocol optional but no trusted proxies");
    }

    @Test
    void listenFlagReplacesTheFileListenersButTakesTheFileProxyDefaults() throws IOException {
        Path file = yaml("""
                listen:
                  - address: "127.0.0.1:2601"
                    proxy-protocol: optional
                    trusted-proxies: ["10.0.0.0/8"]
                proxy-protocol: required
                trusted-proxies: ["127.0.0.1/32"]
                """);
        assertThat(settings("--config", file.toString(), "--listen", "127.0.0.1:2999").server().listeners())
                .containsExactly(proxied("127.0.0.1", 2999, ProxyProtocolMode.REQUIRED, "127.0.0.1/32"));
    }

    @Test
    void badListenEntriesAreErrorsNamingTheFileAndTheEntry() throws IOException {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("listen: [\"127.0.0.1:1\", {address: \"127.0.0.1:2\", proxy: on}]\n",
                "listen entry 2: unknown key 'proxy' (known keys: address, name, proxy-protocol, trusted-proxies, tls, protocol)");
        cases.put("listen: [{proxy-protocol: required}]\n", "listen entry 1: 'address' must be given as \"HOST:PORT\"");
        cases.put("listen: [{address: nowhere}]\n", "listen entry 1: listen address must be HOST:PORT");
        cases.put("listen: [{address: \"127.0.0.1:1\", proxy-protocol: maybe}]\n",
                "listen entry 1: proxy protocol mode must be off, optional or required");
        cases.put("listen: [{address: \"127.0.0.1:1\", proxy-protocol: [required]}]\n",
                "listen entry 1: 'proxy-protocol' must be a plain value");
        cases.put("listen: [{address: \"127.0.0.1:1\", trusted-proxies: [10.0.0.0/99]}]\n", "listen entry 1: ");
        cases.put("listen: [{address: \"127.0.0.1:1\", trusted-proxies: [[\"::1\"]]}]\n",
                "listen entry 1: 'trusted-proxies' entries must be a plain value");
        cases.put("listen:\n", "'listen' has no value");
        cases.put("listen: [~]\n", "listen entry 1: must be \"HOST:PORT\"");
        cases.put("proxy-protocol: [required]\n", "'proxy-protocol' takes one value, not a list");
        cases.put("trusted-proxies: {a: b}\n", "'trusted-proxies' must be a value, not a mapping");
        assertConfigErrors(cases);
        Path file = yaml("listen: [{address: \"127.0.0.1:2601\", proxy-protocol: required}]\n");
        assertThatThrownBy(() -> settings("--config", file.toString()))
                .hasMessageContaining("listener 127.0.0.1:2601 has --proxy-protocol required but no trusted proxies");
    }

    @Test
    void yamlWordsLikeOffAndYesStayWords() throws IOException {
        Path file = yaml("proxy-protocol: off\nlog-level: off\nhostname: yes\nlisten: \"[::1]:25\"\n");
        ServeSettings s = settings("--config", file.toString());
        assertThat(s.server().listeners()).containsExactly(Listener.of("::1", 25));
        assertThat(s.logLevel()).isEqualTo(LogThreshold.OFF);
        assertThat(s.server().hostname()).isEqualTo("yes");
        assertThatThrownBy(() -> settings("--config", yaml("discard: yes\n").toString()))
                .hasMessageContaining("'discard' must be true or false");
        assertThat(settings("--config", yaml("discard: TRUE\nreverse-dns: false\n").toString()).discard()).isTrue();
    }

    @Test
    void exampleConfigFileIsValidAndNamesEveryKey() throws IOException {
        String example;
        try (var in = ServeCommand.class.getResourceAsStream("/postern.example.yml")) {
            assertThat(in).as("postern.example.yml on the class path").isNotNull();
            example = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        ServeSettings s = settings("--config", yaml(example).toString());
        assertThat(s.server().listeners()).containsExactly(
                Listener.of("127.0.0.1", 2525),
                proxied("127.0.0.1", 2526, ProxyProtocolMode.REQUIRED, "127.0.0.1/32,::1").withName("behind-haproxy"),
                proxied("::1", 2527, ProxyProtocolMode.OPTIONAL, "::1/128"));
        assertThat(s.server().hostname()).isEqualTo("mx.example.org");
        assertThat(s.server().xclientHosts()).isEqualTo(TrustedSources.parse("127.0.0.1/32"));
        assertThat(s.server().tls()).as("no certificate in the example").isNull();
        assertThat(s.server().startTls()).isEqualTo(StartTlsMode.OPTIONAL);
        assertThat(s.warnings()).isEmpty();
        CommandLine serve = PosternMain.commandLine(Map.of()).getSubcommands().get("serve");
        for (String key : ConfigFile.settableOptions(serve.getCommandSpec(), ServeCommand.CONFIG_OPTION).keySet()) {
            assertThat(example).as("the example shows " + key).containsPattern("(?m)^(# )?" + key + ":");
        }
        assertThat(example).containsPattern("(?m)^tls:$").containsPattern("(?m)^  #   tls: implicit$");
        for (String key : ConfigFile.tlsOptions(serve.getCommandSpec()).keySet()) {
            assertThat(example).as("the example shows tls: " + key).containsPattern("(?m)^  (# )?" + key + ":");
        }
    }

    @Test
    void exampleConfigFileTlsLinesAreValidUncommented() throws IOException {
        String example;
        try (var in = ServeCommand.class.getResourceAsStream("/postern.example.yml")) {
            example = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        Path ca = Files.writeString(dir.resolve("client-ca.pem"), "x");
        String uncommented = example
                .replace("  # - address: \"127.0.0.1:4650\"\n  #   tls: implicit", "  - address: \"127.0.0.1:4650\"\n    tls: implicit")
                .replace("  self-signed: false", "  self-signed: true")
                .replace("  # ciphers:", "  ciphers:")
                .replace("  client-auth: none\n  # client-ca: /etc/postern/client-ca.pem", "  client-auth: optional\n  client-ca: " + ca);
        SmtpServerConfig c = settings("--config", yaml(uncommented).toString()).server();
        assertThat(c.listeners()).contains(Listener.of("127.0.0.1", 4650).withImplicitTls());
        TlsConfig tls = c.tls();
        assertThat(tls.keys()).isEqualTo(new TlsConfig.SelfSigned(List.of("mx.example.org")));
        assertThat(tls.cipherSuites()).hasSize(3);
        assertThat(tls.clientCaFile()).isEqualTo(ca);
    }

    // ---- TLS

    private Path file(String name) throws IOException {
        return Files.writeString(dir.resolve(name), "not read before the server starts\n");
    }

    @Test
    void withoutACertificateThereIsNoTls() {
        SmtpServerConfig c = settings().server();
        assertThat(c.tls()).isNull();
        assertThat(c.startTls()).isEqualTo(StartTlsMode.OPTIONAL);
        assertThat(c.offersStartTls()).isFalse();
        assertThat(settings("--starttls", "off").server().tls()).as("off needs no certificate").isNull();
    }

    @Test
    void tlsDefaultsAreTheLibraryDefaults() {
        ServeSettings s = settings("--tls-self-signed", "--hostname", "mx.test");
        assertThat(s.server().tls()).isEqualTo(TlsConfig.selfSigned("mx.test").build());
        assertThat(s.server().startTls()).isEqualTo(StartTlsMode.OPTIONAL);
        assertThat(s.server().offersStartTls()).isTrue();
        assertThat(s.server().listeners()).containsExactly(Listener.of("127.0.0.1", 2525));
    }

    @Test
    void selfSignedCertificateIsForTheServersNameAndAWarning() {
        ServeSettings s = settings("--tls-self-signed");
        String name = s.server().hostname();
        assertThat(name).isEqualTo(SmtpServerConfig.builder().build().hostname());
        assertThat(s.server().tls().keys()).isEqualTo(new TlsConfig.SelfSigned(List.of(name)));
        assertThat(s.warnings()).singleElement().asString()
                .startsWith("--tls-self-signed: clients cannot verify the certificate generated for " + name);
    }

    @Test
    void everyTlsFlagReachesTheSettings() throws IOException {
        Path cert = file("cert.pem");
        Path key = file("key.pem");
        Path password = Files.writeString(dir.resolve("password"), "s3cret pass\nsecond line ignored\n");
        Path ca = file("ca.pem");
        ServeSettings s = settings("--listen", "127.0.0.1:2587",
                "--tls-cert", cert.toString(), "--tls-key", key.toString(), "--tls-key-password-file", password.toString(),
                "--starttls", "REQUIRED",
                "--tls-listen", "127.0.0.1:4650,[::1]:4651",
                "--tls-protocols", "TLSv1.3",
                "--tls-ciphers", "TLS_AES_256_GCM_SHA384, TLS_AES_128_GCM_SHA256",
                "--tls-client-auth", "require", "--tls-client-ca", ca.toString(),
                "--tls-handshake-timeout", "3s",
                "--tls-reload-interval", "0");
        SmtpServerConfig c = s.server();
        assertThat(c.tls()).isEqualTo(TlsConfig.builder(new TlsConfig.PemFiles(cert, key, "s3cret pass"))
                .protocols("TLSv1.3")
                .cipherSuites(List.of("TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256"))
                .clientAuth(TlsConfig.ClientAuth.REQUIRE)
                .clientCaFile(ca)
                .handshakeTimeout(Duration.ofSeconds(3))
                .reloadInterval(Duration.ZERO)
                .build());
        assertThat(c.startTls()).isEqualTo(StartTlsMode.REQUIRED);
        assertThat(c.listeners()).containsExactly(Listener.of("127.0.0.1", 2587),
                Listener.of("127.0.0.1", 4650).withImplicitTls(), Listener.of("::1", 4651).withImplicitTls());
        assertThat(s.warnings()).isEmpty();
    }

    @Test
    void tlsListenersGetTheProxyFlagsToo() {
        ServeSettings s = settings("--tls-self-signed", "--tls-listen", "127.0.0.1:4650", "--proxy-protocol", "required",
                "--trusted-proxies", "10.0.0.0/8");
        assertThat(s.server().listeners()).containsExactly(
                proxied("127.0.0.1", 2525, ProxyProtocolMode.REQUIRED, "10.0.0.0/8"),
                proxied("127.0.0.1", 4650, ProxyProtocolMode.REQUIRED, "10.0.0.0/8").withImplicitTls());
    }

    @Test
    void certificateThatNoConnectionUsesIsAWarning() {
        assertThat(settings("--tls-self-signed", "--hostname", "mx.test", "--starttls", "off").warnings())
                .hasSize(2).anySatisfy(w -> assertThat(w).contains("--starttls is off and no listener is implicit TLS"));
        assertThat(settings("--tls-self-signed", "--starttls", "off", "--tls-listen", "127.0.0.1:4650").warnings())
                .noneSatisfy(w -> assertThat(w).contains("--starttls is off"));
    }

    @Test
    void badTlsSettingsExitWith2AndOneLine() throws IOException {
        String cert = file("cert.pem").toString();
        String key = file("key.pem").toString();
        String empty = Files.writeString(dir.resolve("empty"), "").toString();
        String missing = dir.resolve("missing.pem").toString();
        Map<List<String>, String> cases = new LinkedHashMap<>();
        cases.put(List.of("--tls-cert", cert), "--tls-cert and --tls-key go together: give both PEM files");
        cases.put(List.of("--tls-key", key), "--tls-cert and --tls-key go together");
        cases.put(List.of("--tls-self-signed", "--tls-cert", cert, "--tls-key", key),
                "--tls-self-signed and --tls-cert exclude each other");
        cases.put(List.of("--tls-key-password-file", key), "--tls-key-password-file needs --tls-key");
        cases.put(List.of("--tls-self-signed", "--tls-key-password-file", key), "--tls-key-password-file needs --tls-key");
        cases.put(List.of("--starttls", "required"), "--starttls required needs a certificate: give --tls-cert and "
                + "--tls-key, or --tls-self-signed");
        cases.put(List.of("--tls-listen", "127.0.0.1:4650"), "implicit-TLS listener 127.0.0.1:4650 needs a certificate");
        cases.put(List.of("--tls-client-auth", "require"), "--tls-client-auth require needs a certificate");
        cases.put(List.of("--tls-self-signed", "--tls-client-ca", cert), "--tls-client-ca needs --tls-client-auth optional or require");
        cases.put(List.of("--tls-cert", missing, "--tls-key", key), "cannot read the --tls-cert file " + missing);
        cases.put(List.of("--tls-cert", cert, "--tls-key", dir.toString()), "cannot read the --tls-key file " + dir);
        cases.put(List.of("--tls-cert", cert, "--tls-key", key, "--tls-key-password-file", empty),
                "the --tls-key-password-file " + empty + " is empty");
        cases.put(List.of("--tls-self-signed", "--tls-client-auth", "optional", "--tls-client-ca", missing),
                "cannot read the --tls-client-ca file");
        cases.put(List.of("--tls-self-signed", "--tls-protocols", "TLSv1.3,TLSv1.4"), "--tls-protocols: this JDK does not "
                + "support 'TLSv1.4' (it offers TLSv1.3, TLSv1.2");
        cases.put(List.of("--tls-self-signed", "--tls-protocols", "SSLv3"), "unknown TLS protocol version 'SSLv3'");
        cases.put(List.of("--tls-self-signed", "--tls-ciphers", "TLS_AES_256_GCM_SHA384,TLS_NOPE"),
                "--tls-ciphers: this JDK does not support 'TLS_NOPE'");
        cases.put(List.of("--tls-self-signed", "--tls-handshake-timeout", "0s"), "--tls-handshake-timeout must be positive");
        cases.put(List.of("--tls-reload-interval", "soon"), "'soon' is not a duration");
        cases.put(List.of("--starttls", "sometimes"), "'sometimes' is not one of off, optional, required");
        cases.put(List.of("--tls-client-auth", "maybe"), "'maybe' is not one of none, optional, require");
        cases.put(List.of("--tls-listen", "nowhere"), "listen address must be HOST:PORT");
        assertUsageErrors(cases, "--listen", "127.0.0.1:0");
    }

    @Test
    void configFileTlsMappingSetsEveryTlsSetting() throws IOException {
        Path cert = file("cert.pem");
        Path key = file("key.pem");
        Path password = Files.writeString(dir.resolve("password"), "pw\n");
        Path ca = file("ca.pem");
        Path config = yaml("""
                listen:
                  - "127.0.0.1:2600"
                  - address: "127.0.0.1:4650"
                    tls: implicit
                  - address: "127.0.0.1:4651"
                    tls: IMPLICIT
                    proxy-protocol: required
                    trusted-proxies: 10.0.0.0/8
                tls:
                  cert: %s
                  key: %s
                  key-password-file: %s
                  starttls: required
                  protocols: [TLSv1.3, TLSv1.2]
                  ciphers: TLS_AES_128_GCM_SHA256
                  client-auth: optional
                  client-ca: %s
                  handshake-timeout: 2s
                  reload-interval: 5m
                """.formatted(cert, key, password, ca));
        SmtpServerConfig c = settings("--config", config.toString()).server();
        assertThat(c.tls()).isEqualTo(TlsConfig.builder(new TlsConfig.PemFiles(cert, key, "pw"))
                .cipherSuites(List.of("TLS_AES_128_GCM_SHA256"))
                .clientAuth(TlsConfig.ClientAuth.OPTIONAL)
                .clientCaFile(ca)
                .handshakeTimeout(Duration.ofSeconds(2))
                .reloadInterval(Duration.ofMinutes(5))
                .build());
        assertThat(c.startTls()).isEqualTo(StartTlsMode.REQUIRED);
        assertThat(c.listeners()).containsExactly(Listener.of("127.0.0.1", 2600),
                Listener.of("127.0.0.1", 4650).withImplicitTls(),
                proxied("127.0.0.1", 4651, ProxyProtocolMode.REQUIRED, "10.0.0.0/8").withImplicitTls());
    }

    @Test
    void tlsFlagsOverrideTheConfigFile() throws IOException {
        Path config = yaml("""
                listen:
                  - "127.0.0.1:2600"
                  - address: "127.0.0.1:4650"
                    tls: implicit
                tls:
                  self-signed: true
                  starttls: required
                  protocols: [TLSv1.2]
                hostname: mx.test
                """);
        SmtpServerConfig c = settings("--config", config.toString(), "--starttls", "off", "--tls-protocols", "TLSv1.3").server();
        assertThat(c.tls()).isEqualTo(TlsConfig.selfSigned("mx.test").protocols("TLSv1.3").build());
        assertThat(c.startTls()).isEqualTo(StartTlsMode.OFF);
        assertThat(settings("--config", config.toString(), "--listen", "127.0.0.1:2999").server().listeners())
                .as("--listen replaces the plain entries only")
                .containsExactly(Listener.of("127.0.0.1", 4650).withImplicitTls(), Listener.of("127.0.0.1", 2999));
        assertThat(settings("--config", config.toString(), "--tls-listen", "127.0.0.1:4999").server().listeners())
                .as("--tls-listen replaces the implicit-TLS entries only")
                .containsExactly(Listener.of("127.0.0.1", 2600), Listener.of("127.0.0.1", 4999).withImplicitTls());
    }

    @Test
    void badTlsConfigIsAnErrorNamingTheFileAndTheKey() throws IOException {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("tls: {certificate: a.pem}\n", "unknown key 'tls.certificate' (known keys of 'tls': cert, key, "
                + "key-password-file, self-signed, starttls, protocols, ciphers, client-auth, client-ca, handshake-timeout, "
                + "reload-interval)");
        cases.put("tls-cert: a.pem\n", "unknown key 'tls-cert' (known keys: ");
        cases.put("starttls: required\n", "TLS settings go in the 'tls' mapping, and implicit-TLS listeners are listen "
                + "entries with 'tls: implicit'");
        cases.put("tls-listen: \"127.0.0.1:465\"\n", "unknown key 'tls-listen'");
        cases.put("tls: yes\n", "'tls' must be a mapping of TLS settings");
        cases.put("tls:\n", "'tls' has no value");
        cases.put("tls: {self-signed: maybe}\n", "'tls.self-signed' must be true or false");
        cases.put("tls: {protocols: {a: b}}\n", "'tls.protocols' must be a value, not a mapping");
        cases.put("tls: {cert: [a.pem, b.pem]}\n", "'tls.cert' takes one value, not a list");
        cases.put("tls: {handshake-timeout: soon}\n", "'soon' is not a duration");
        cases.put("tls: {starttls: sometimes}\n", "'sometimes' is not one of off, optional, required");
        cases.put("tls: {self-signed: true, self-signed: false}\n", "duplicate key self-signed");
        cases.put("listen: [{address: \"127.0.0.1:1\", tls: explicit}]\n",
                "listen entry 1: 'tls' must be implicit (TLS from the first byte, RFC 8314)");
        cases.put("listen: [{address: \"127.0.0.1:1\", tls: [implicit]}]\n", "listen entry 1: 'tls' must be a plain value");
        assertConfigErrors(cases);
        assertThatThrownBy(() -> settings("--config", yaml("listen: [{address: \"127.0.0.1:465\", tls: implicit}]\n").toString()))
                .isInstanceOf(ParameterException.class).hasMessageContaining("implicit-TLS listener 127.0.0.1:465 needs a certificate");
        assertThatThrownBy(() -> settings("--config", yaml("tls: {starttls: required}\n").toString()))
                .isInstanceOf(ParameterException.class).hasMessageContaining("--starttls required needs a certificate");
    }

    /** Splits picocli's option list into one whitespace-normalised block per option, keyed by long name. */
    private static Map<String, String> optionBlocks(String usage) {
        Map<String, String> blocks = new LinkedHashMap<>();
        List<String> current = new ArrayList<>();
        String name = null;
        for (String line : usage.lines().toList()) {
            String t = line.strip();
            // An option starts within the first few columns; wrapped description lines are indented further.
            int indent = line.length() - line.stripLeading().length();
            if (indent > 0 && indent <= 8 && t.startsWith("-")) {
                if (name != null) {
                    blocks.put(name, String.join(" ", current).replaceAll("\\s+", " "));
                }
                current.clear();
                String first = t.split("[\\s=,\\[]")[0];
                name = t.startsWith("-h") ? "--help" : first;
            }
            if (name != null) {
                current.add(t);
            }
        }
        if (name != null) {
            blocks.put(name, String.join(" ", current).replaceAll("\\s+", " "));
        }
        return blocks;
    }
}
