package dev.postern.server;

import dev.postern.SmtpHandler;
import dev.postern.server.plugin.HandlerPlugin;
import dev.postern.testing.RawSmtpClient;
import dev.postern.testing.TestServer;
import dev.postern.testing.TestServers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code postern serve --plugin-dir DIR --handler NAME} with the sample plugin of
 * {@code examples/allowlist-plugin}, built here from its sources into a jar, and the start-up errors of a
 * missing name, a bad jar and a bad section.
 */
@Timeout(60)
class PluginTest {

    /** The sample plugin's sources, beside this module. */
    static final Path SAMPLE = Path.of("..", "examples", "allowlist-plugin", "src", "main");

    @TempDir
    static Path jars;

    @TempDir
    Path dir;

    @RegisterExtension
    final TestServers servers = new TestServers();

    static Path allowlistJar;

    @BeforeAll
    static void buildTheSamplePlugin() throws Exception {
        allowlistJar = buildSamplePlugin(jars);
    }

    /** Builds the sample plugin's jar in {@code dir} from its sources, against the server's and the library's classes. */
    static Path buildSamplePlugin(Path dir) throws Exception {
        List<Path> sources;
        try (Stream<Path> files = Files.walk(SAMPLE.resolve("java"))) {
            sources = files.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertThat(sources).isNotEmpty();
        return jar(dir, "allowlist.jar", compile(dir, "allowlist", sources),
                Map.of(Plugins.SERVICE_FILE, Files.readString(SAMPLE.resolve("resources").resolve(Plugins.SERVICE_FILE))));
    }

    /** Compiles {@code sources} against the API only (the library and the plugin SPI); returns the class directory. */
    static Path compile(Path dir, String name, List<Path> sources) throws IOException, URISyntaxException {
        Path classes = Files.createDirectories(dir.resolve(name + "-classes"));
        String classPath = String.join(java.io.File.pathSeparator, location(SmtpHandler.class), location(HandlerPlugin.class));
        List<String> args = new ArrayList<>(List.of("--release", "21", "-proc:none", "-classpath", classPath, "-d", classes.toString()));
        sources.forEach(s -> args.add(s.toString()));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int status = javac.run(null, errors, errors, args.toArray(String[]::new));
        assertThat(status).as(errors.toString(StandardCharsets.UTF_8)).isZero();
        return classes;
    }

    private static String location(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    /** A jar in {@code dir} of {@code classes} (null for none) and the given extra files. */
    static Path jar(Path dir, String name, Path classes, Map<String, String> files) throws IOException {
        Path jar = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream zip = new JarOutputStream(out)) {
            if (classes != null) {
                try (Stream<Path> all = Files.walk(classes)) {
                    for (Path f : all.filter(Files::isRegularFile).sorted().toList()) {
                        zip.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                        zip.write(Files.readAllBytes(f));
                        zip.closeEntry();
                    }
                }
            }
            for (Map.Entry<String, String> f : files.entrySet()) {
                zip.putNextEntry(new JarEntry(f.getKey()));
                zip.write(f.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        return jar;
    }

    /** A plugin directory holding {@code jars}. */
    private Path pluginDir(Path... content) throws IOException {
        Path plugins = Files.createDirectories(dir.resolve("plugins-" + System.nanoTime()));
        for (Path jar : content) {
            Files.copy(jar, plugins.resolve(jar.getFileName()));
        }
        return plugins;
    }

    private Path config(String yaml) throws IOException {
        return Files.writeString(dir.resolve("postern.yml"), yaml);
    }

    private static final String ALLOWLIST_CONFIG = """
            handler: allowlist
            plugins:
              allowlist:
                recipients:
                  - alice@example.org
                  - "@Example.NET"
            """;

    @Test
    void disallowedRecipientGets550AndAnAllowedOneIsStored() throws Exception {
        Path maildir = dir.resolve("mail");
        ServeSettings settings = ServeCommandTest.settings("--listen", "127.0.0.1:0", "--hostname", "mx.test",
                "--maildir", maildir.toString(), "--plugin-dir", pluginDir(allowlistJar).toString(),
                "--config", config(ALLOWLIST_CONFIG).toString());
        assertThat(settings.warnings()).isEmpty();
        StandaloneServer standalone = new StandaloneServer(settings);
        TestServer server = servers.add(TestServer.of(standalone.start(), () -> standalone.stop(Duration.ZERO)));
        try (RawSmtpClient c = new RawSmtpClient(server.port())) {
            assertThat(c.reply()).startsWith("220");
            c.cmd("EHLO client.example");
            assertThat(c.cmd("MAIL FROM:<sender@example.com>")).startsWith("250");
            assertThat(c.cmd("RCPT TO:<bob@example.org>"))
                    .isEqualTo("550 5.7.1 <bob@example.org>: Recipient not on the allow list");
            assertThat(c.cmd("RCPT TO:<Alice@Example.org>")).startsWith("250");
            assertThat(c.cmd("RCPT TO:<carol@example.net>")).as("a listed domain").startsWith("250");
            assertThat(c.cmd("RCPT TO:<Postmaster>")).as("RFC 5321 4.5.1").startsWith("250");
            assertThat(c.cmd("DATA")).startsWith("354");
            assertThat(c.cmd("Subject: allowed\r\n\r\nstored by the Maildir after the plugin\r\n.")).startsWith("250 ");
            assertThat(c.cmd("QUIT")).startsWith("221");
        }
        List<Path> stored;
        try (Stream<Path> files = Files.list(maildir.resolve("new"))) {
            stored = files.toList();
        }
        assertThat(stored).hasSize(1);
        String message = Files.readString(stored.get(0), StandardCharsets.US_ASCII);
        assertThat(message).startsWith("Received: from client.example").contains("stored by the Maildir after the plugin");
    }

    @Test
    void handlerWithoutAPluginOfThatNameIsAStartUpError() throws IOException {
        String plugins = pluginDir(allowlistJar).toString();
        ServeCommandTest.assertUsageErrors(new LinkedHashMap<>(Map.of(
                List.of("--plugin-dir", plugins, "--handler", "greylist"),
                "--handler greylist: no plugin of that name in --plugin-dir " + plugins + " (found: allowlist)",
                List.of("--handler", "allowlist"),
                "--handler allowlist needs --plugin-dir DIR")));
    }

    @Test
    void badJarsAreStartUpErrorsNamingTheJar() throws Exception {
        Path notAJar = Files.writeString(jars.resolve("broken.jar"), "not a zip file");
        Path noPlugin = jar(jars, "empty.jar", null, Map.of("README", "no service file"));
        Path missingClass = jar(jars, "missing.jar", null, Map.of(Plugins.SERVICE_FILE, "com.example.NoSuchPlugin\n"));
        Map<List<String>, String> cases = new LinkedHashMap<>();
        cases.put(List.of("--plugin-dir", pluginDir(notAJar).toString(), "--handler", "allowlist"),
                "broken.jar cannot be read as a jar");
        cases.put(List.of("--plugin-dir", pluginDir(noPlugin).toString(), "--handler", "allowlist"),
                "empty.jar provides no plugin: it needs a " + Plugins.SERVICE_FILE);
        cases.put(List.of("--plugin-dir", pluginDir(missingClass).toString(), "--handler", "allowlist"),
                "missing.jar cannot be loaded: ");
        cases.put(List.of("--plugin-dir", dir.resolve("no-such-dir").toString(), "--handler", "allowlist"),
                "--plugin-dir " + dir.resolve("no-such-dir") + ": not a directory");
        ServeCommandTest.assertUsageErrors(cases);
    }

    @Test
    void twoPluginsOfOneNameAreAnError() throws Exception {
        Path plugins = pluginDir(allowlistJar);
        Files.copy(allowlistJar, plugins.resolve("allowlist-copy.jar"));
        ServeCommandTest.assertUsageErrors(Map.of(List.of("--plugin-dir", plugins.toString(), "--handler", "allowlist"),
                "two plugins named 'allowlist': in " + plugins.resolve("allowlist-copy.jar") + " and in "
                        + plugins.resolve("allowlist.jar")));
    }

    @Test
    void badSectionIsAStartUpErrorNamingTheSectionAndTheFile() throws Exception {
        String plugins = pluginDir(allowlistJar).toString();
        Map<String, String> cases = Map.of(
                "handler: allowlist\n",
                "'recipients' must be a list of addresses (alice@example.org) or domains (@example.org)",
                "handler: allowlist\nplugins:\n  allowlist:\n    recipients: [bob]\n",
                "'bob' in 'recipients' is neither an address (alice@example.org) nor a domain (@example.org)",
                "handler: allowlist\nplugins:\n  allowlist:\n    recipients: [a@example.org]\n    colour: red\n",
                "unknown key 'colour' (known keys: recipients, reply)",
                "handler: allowlist\nplugins: [allowlist]\n",
                "'plugins' must be a mapping of plugin names to their settings");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Path file = config(c.getKey());
            ServeCommandTest.Run r = ServeCommandTest.run("serve", "--plugin-dir", plugins, "--config", file.toString());
            assertThat(r.exitCode()).as(c.getKey()).isEqualTo(2);
            assertThat(r.err().strip().lines()).as(c.getKey()).hasSize(1);
            assertThat(r.err()).as(c.getKey()).contains(c.getValue()).contains(file.toString());
            if (!c.getKey().contains("plugins: [")) {
                assertThat(r.err()).as(c.getKey()).contains("plugin 'allowlist', section plugins.allowlist of " + file + ": ");
            }
        }
    }

    @Test
    void aPluginSeesTheApiButNotTheServersClassesOrLibraries() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src/probe"));
        Path source = Files.writeString(src.resolve("Probe.java"), """
                package probe;

                import dev.postern.SmtpHandler;
                import dev.postern.server.plugin.HandlerPlugin;
                import dev.postern.server.plugin.PluginContext;
                import java.util.Map;

                public final class Probe implements HandlerPlugin {
                    public String name() { return "probe"; }

                    public SmtpHandler create(Map<String, Object> settings, PluginContext context) {
                        StringBuilder seen = new StringBuilder();
                        for (String name : new String[] {"dev.postern.SmtpRejection", "org.slf4j.LoggerFactory",
                                "dev.postern.server.StandaloneServer", "picocli.CommandLine", "io.netty.channel.Channel"}) {
                            try {
                                Class.forName(name, false, Probe.class.getClassLoader());
                                seen.append(name).append(" visible; ");
                            } catch (ClassNotFoundException e) {
                                seen.append(name).append(" hidden; ");
                            }
                        }
                        throw new IllegalArgumentException(seen.toString() + "hostname " + context.hostname());
                    }
                }
                """);
        Path probe = jar(jars, "probe.jar", compile(jars, "probe", List.of(source)), Map.of(Plugins.SERVICE_FILE, "probe.Probe\n"));
        ServeCommandTest.Run r = ServeCommandTest.run("serve", "--hostname", "mx.test", "--plugin-dir", pluginDir(probe).toString(),
                "--handler", "probe");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("dev.postern.SmtpRejection visible; org.slf4j.LoggerFactory visible; "
                + "dev.postern.server.StandaloneServer hidden; picocli.CommandLine hidden; io.netty.channel.Channel hidden; "
                + "hostname mx.test");
    }

    @Test
    void theConfigFileGivesThePluginDirectoryAndTheHandlersToo() throws Exception {
        Path plugins = pluginDir(allowlistJar);
        ServeSettings s = ServeCommandTest.settings("--config", config("plugin-dir: " + plugins + "\n" + ALLOWLIST_CONFIG).toString());
        assertThat(s.plugins().names()).containsExactly("allowlist");
        assertThat(s.plugins().handlers()).singleElement()
                .satisfies(h -> assertThat(h.getClass().getName()).isEqualTo("dev.postern.examples.allowlist.AllowListHandler"));
        s.plugins().close();
        ServeSettings flags = ServeCommandTest.settings("--plugin-dir", plugins.toString(), "--handler", "allowlist,allowlist",
                "--config", config("plugins:\n  allowlist:\n    recipients: [a@example.org]\n  other: {}\n").toString());
        assertThat(flags.plugins().names()).containsExactly("allowlist", "allowlist");
        assertThat(flags.warnings()).containsExactly("the config file's section plugins.other is not used: no --handler other");
        flags.plugins().close();
    }

    @Test
    void pluginDirWithoutHandlerAndUnusedSectionsAreWarnings() throws Exception {
        String plugins = pluginDir(allowlistJar).toString();
        ServeSettings s = ServeCommandTest.settings("--plugin-dir", plugins, "--config",
                config("plugins:\n  allowlist:\n    recipients: [a@example.org]\n").toString());
        assertThat(s.plugins()).isNull();
        assertThat(s.warnings()).containsExactly("--plugin-dir " + plugins + " without --handler: no plugin is used");
    }
}
