package dev.postern.server;

import dev.postern.testing.AngusMail;
import dev.postern.testing.PeerProcess;
import dev.postern.testing.RawSmtpClient;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The distribution as an operator gets it: {@code postern-VERSION.tar.gz} unpacked in a temporary directory, run
 * with a Java runtime only (JAVA_HOME with bin/java and no javac, or the one under /usr/lib/jvm), a PATH that has
 * the few POSIX tools the script uses and no Maven, an empty environment otherwise, and a working directory outside
 * the source tree. Also what packaging/Dockerfile and packaging/postern.service run: their paths and commands
 * against the distribution, and the unit through {@code systemd-analyze verify}. Runs after package (mvn verify).
 * Every process started is killed by its handle at the end, if still running.
 */
@Timeout(180)
class DistributionIT {

    /** The version the build made, which names the archives (set by the pom for the *IT run). */
    private static final String VERSION = System.getProperty("postern.version");
    private static final Path ROOT = Launcher.ROOT;
    private static final Path TARBALL = ROOT.resolve("postern-server/target/postern-" + VERSION + ".tar.gz");
    private static final Path ZIP = ROOT.resolve("postern-server/target/postern-" + VERSION + ".zip");
    /** The tools bin/postern and libexec/java-env.sh call, and nothing else. */
    private static final List<String> POSIX_TOOLS = List.of("sh", "readlink", "dirname", "sed", "head");

    @TempDir
    Path dir;

    private Path home;
    private Path path;
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void unpack() throws Exception {
        assertThat(VERSION).as("postern.version from the pom").isNotBlank();
        assertThat(TARBALL).as("mvn package builds the tarball").isRegularFile();
        Path opt = Files.createDirectories(dir.resolve("root/opt"));
        assertThat(run(List.of("tar", "-xzf", TARBALL.toString(), "-C", opt.toString()), Map.of("PATH", System.getenv("PATH")), dir)
                .exitCode()).isZero();
        home = opt.resolve("postern-" + VERSION);
        Files.createSymbolicLink(opt.resolve("postern"), Path.of("postern-" + VERSION));
        path = Files.createDirectories(dir.resolve("path"));
        for (String tool : POSIX_TOOLS) {
            Files.createSymbolicLink(path.resolve(tool), which(tool));
        }
    }

    @AfterEach
    void killLeftoversAndRemoveLinks() throws IOException {
        processes.stream().filter(Process::isAlive).forEach(Process::destroyForcibly);
        // JUnit warns of every link out of the temporary directory it removes: remove them first (not their targets).
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path link : all.filter(Files::isSymbolicLink).toList()) {
                Files.delete(link);
            }
        }
    }

    @Test
    void theArchivesHoldTheLauncherTheLibrariesTheConfigAndTheLicense() throws Exception {
        assertThat(home.resolve("bin/postern")).isExecutable();
        assertThat(home.resolve("libexec/java-env.sh")).hasSameTextualContentAs(ROOT.resolve("scripts/java-env.sh"));
        assertThat(home.resolve("conf/postern.yml"))
                .hasSameTextualContentAs(ROOT.resolve("postern-server/src/main/resources/postern.example.yml"));
        assertThat(home.resolve("LICENSE")).hasSameTextualContentAs(ROOT.resolve("LICENSE"));
        assertThat(home.resolve("README.md")).isRegularFile();
        try (Stream<Path> jars = Files.list(home.resolve("lib"))) {
            assertThat(jars.map(p -> p.getFileName().toString()).toList()).contains(
                    "postern-server-" + VERSION + ".jar", "postern-core-" + VERSION + ".jar", "postern-relay-" + VERSION + ".jar")
                    .anyMatch(n -> n.startsWith("netty-transport-native-epoll-"))
                    .noneMatch(n -> n.contains("junit") || n.contains("assertj") || n.endsWith("-tests.jar"));
        }
        List<String> zipped;
        try (ZipFile zip = new ZipFile(ZIP.toFile())) {
            zipped = zip.stream().map(ZipEntry::getName).toList();
        }
        assertThat(zipped).contains("postern-" + VERSION + "/bin/postern", "postern-" + VERSION + "/conf/postern.yml",
                "postern-" + VERSION + "/lib/postern-server-" + VERSION + ".jar", "postern-" + VERSION + "/LICENSE");
    }

    /**
     * NOTICE and THIRD-PARTY.txt, made by the build from the bundled jars' own metadata: every third-party jar in lib/
     * has its entry in NOTICE with the licence its POM declares (Netty, SLF4J and Bouncy Castle checked by name), the
     * notice files the jars carry are in NOTICE word for word and in licenses/, and THIRD-PARTY.txt lists the same
     * jars under their licences. Postern's own jars are Postern's (LICENSE), not third-party entries.
     */
    @Test
    void theArchivesCarryANoticeAndTheThirdPartyLicencesOfTheBundledJars() throws Exception {
        String notice = Files.readString(home.resolve("NOTICE"), StandardCharsets.UTF_8);
        assertThat(notice).startsWith("Postern\nCopyright ").contains("Apache License, Version 2.0 (see LICENSE)");
        // "  Name VERSION (group:artifact)" then "    Licence: ..." on the next line
        Map<String, String> licenceOf = new LinkedHashMap<>();
        Matcher entry = Pattern.compile("(?m)^  \\S.* (\\S+) \\(([^:()\\s]+):([^:()\\s]+)\\)\n    Licence: (.+)$").matcher(notice);
        while (entry.find()) {
            licenceOf.put(entry.group(2) + ":" + entry.group(3) + ":" + entry.group(1), entry.group(4));
        }
        assertThat(licenceOf.get("org.slf4j:slf4j-api:" + versionIn(licenceOf, "org.slf4j:slf4j-api"))).isEqualTo("MIT License");
        assertThat(licenceOf.get("io.netty:netty-transport:" + versionIn(licenceOf, "io.netty:netty-transport")))
                .isEqualTo("Apache License, Version 2.0");
        assertThat(licenceOf.get("org.bouncycastle:bcprov-jdk18on:" + versionIn(licenceOf, "org.bouncycastle:bcprov-jdk18on")))
                .isEqualTo("Bouncy Castle Licence");
        assertThat(licenceOf.keySet()).noneMatch(k -> k.startsWith("dev.postern:"));

        List<String> jars;
        try (Stream<Path> files = Files.list(home.resolve("lib"))) {
            jars = files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("postern-")).sorted().toList();
        }
        assertThat(jars).hasSizeGreaterThan(10);
        for (String jar : jars) {
            assertThat(licenceOf.keySet()).as("NOTICE entry for lib/" + jar).anyMatch(k -> {
                String artifactAndVersion = k.split(":")[1] + "-" + k.split(":")[2];
                return jar.equals(artifactAndVersion + ".jar") || jar.startsWith(artifactAndVersion + "-"); // -classifier.jar
            });
        }
        assertThat(licenceOf).hasSize(jars.size());

        List<Path> jarNotices;
        try (Stream<Path> files = Files.walk(home.resolve("licenses"))) {
            jarNotices = files.filter(p -> p.getFileName().toString().startsWith("NOTICE")).toList();
        }
        assertThat(jarNotices).as("the jars that carry a NOTICE (Jackson's, Prometheus')").isNotEmpty();
        for (Path jarNotice : jarNotices) {
            assertThat(notice).as("NOTICE holds " + jarNotice).contains(Files.readString(jarNotice, StandardCharsets.UTF_8).strip());
        }
        assertThat(Files.readString(home.resolve("licenses/slf4j-api-" + versionIn(licenceOf, "org.slf4j:slf4j-api")
                + "-jar/META-INF/LICENSE.txt"), StandardCharsets.UTF_8)).contains("Permission is hereby granted");

        String thirdParty = Files.readString(home.resolve("THIRD-PARTY.txt"), StandardCharsets.UTF_8);
        assertThat(section(thirdParty, "Apache License, Version 2.0")).contains("(io.netty:netty-transport)", "(io.netty:netty-handler)");
        assertThat(section(thirdParty, "MIT License")).contains("(org.slf4j:slf4j-api)");
        assertThat(section(thirdParty, "Bouncy Castle Licence")).contains("(org.bouncycastle:bcprov-jdk18on)");
        assertThat(thirdParty).doesNotContain("dev.postern:");

        List<String> zipped;
        try (ZipFile zip = new ZipFile(ZIP.toFile())) {
            zipped = zip.stream().map(ZipEntry::getName).toList();
        }
        assertThat(zipped).contains("postern-" + VERSION + "/NOTICE", "postern-" + VERSION + "/THIRD-PARTY.txt");
    }

    /** The version NOTICE names for group:artifact. */
    private static String versionIn(Map<String, String> licenceOf, String groupAndArtifact) {
        return licenceOf.keySet().stream().filter(k -> k.startsWith(groupAndArtifact + ":")).findFirst()
                .map(k -> k.substring(groupAndArtifact.length() + 1))
                .orElseThrow(() -> new AssertionError(groupAndArtifact + " has no entry in NOTICE"));
    }

    /** The lines of THIRD-PARTY.txt under "licence:", up to the next heading. */
    private static String section(String thirdParty, String licence) {
        int start = thirdParty.indexOf("\n" + licence + ":\n");
        assertThat(start).as("THIRD-PARTY.txt has a section for " + licence).isNotNegative();
        int end = thirdParty.indexOf("\n\n", start + 1);
        return thirdParty.substring(start, end < 0 ? thirdParty.length() : end);
    }

    /**
     * Serves a real client into the Maildir with settings from environment variables, then stops on SIGTERM with a
     * drain delay: /ready turns 503 at once, new clients are still greeted until the delay is over, the process
     * exits 0 no sooner than the delay.
     */
    @Test
    void servesFromTheUnpackedTarballWithAJavaRuntimeOnlyAndDrainsOnSigterm() throws Exception {
        // A Java runtime and nothing else: bin/java, no javac, no Maven on PATH.
        Path jre = Files.createDirectories(dir.resolve("jre/bin"));
        Files.createSymbolicLink(jre.resolve("java"), Path.of(System.getProperty("java.home"), "bin", "java"));
        Path work = Files.createDirectories(dir.resolve("work"));
        int port = PeerProcess.freePort();
        int httpPort = PeerProcess.freePort();
        Map<String, String> env = new LinkedHashMap<>(baseEnvironment());
        env.put("JAVA_HOME", jre.getParent().toString());
        env.put("POSTERN_HOSTNAME", "mx.dist.test");
        env.put("POSTERN_MAX_MESSAGE_SIZE", "2K");
        env.put("POSTERN_MAILDIR", "mail");
        Process server = start("serve", env, work, "serve", "--listen", "127.0.0.1:" + port, "--http-listen", "127.0.0.1:" + httpPort,
                "--drain-delay", "6s", "--shutdown-grace", "5s");
        awaitListening(server, "serve", port);
        awaitListening(server, "serve", httpPort);

        Session session = Session.getInstance(AngusMail.settings("smtp", port));
        Transport.send(AngusMail.message(session, "sender@example.com", "rcpt@example.org", "from the tarball", "Hello"));
        Path maildir = work.resolve("mail");
        List<Path> delivered;
        try (Stream<Path> files = Files.list(maildir.resolve("new"))) {
            delivered = files.toList();
        }
        assertThat(delivered).hasSize(1);
        assertThat(Files.readString(delivered.get(0), StandardCharsets.US_ASCII))
                .startsWith("Received: from ").contains(" by mx.dist.test (Postern) with ESMTP id ").contains("\r\nSubject: from the tarball\r\n");
        assertThatThrownBy(() -> Transport.send(AngusMail.message(session, "sender@example.com", "rcpt@example.org", "too large",
                "x".repeat(3000)))).as("POSTERN_MAX_MESSAGE_SIZE=2K").isInstanceOf(MessagingException.class)
                .satisfies(e -> assertThat(e instanceof SendFailedException s && s.getNextException() != null
                        ? s.getNextException().getMessage() : e.getMessage()).contains("552"));

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI ready = URI.create("http://127.0.0.1:" + httpPort + "/ready");
        assertThat(get(http, ready).statusCode()).isEqualTo(200);
        long sigterm = System.nanoTime();
        server.destroy(); // SIGTERM
        HttpResponse<String> response = get(http, ready);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (response.statusCode() == 200 && System.nanoTime() < deadline) {
            Thread.sleep(20);
            response = get(http, ready);
        }
        assertThat(response.statusCode()).as("/ready during the drain").isEqualTo(503);
        try (RawSmtpClient late = new RawSmtpClient(port)) {
            assertThat(late.reply()).as("a client sent during the drain is still served").startsWith("220 ");
            assertThat(late.cmd("QUIT")).startsWith("221");
        }
        assertThat(server.waitFor(60, TimeUnit.SECONDS)).as("exits after the drain").isTrue();
        long stoppedAfter = System.nanoTime() - sigterm;
        assertThat(server.exitValue()).as(err("serve")).isZero();
        assertThat(stoppedAfter).as("the listeners stay open for the whole drain delay").isGreaterThanOrEqualTo(TimeUnit.SECONDS.toNanos(6));
        assertThat(refused(port)).as("listeners closed after the drain").isTrue();
        String err = err("serve");
        assertThat(err).contains("Postern mx.dist.test listening on 127.0.0.1:" + port + ", maildir " + maildir.toRealPath());
        assertThat(err.indexOf("draining: /ready answers 503, the listeners close in PT6S"))
                .isPositive().isLessThan(err.indexOf("stopping: open sessions get PT5S to finish"));
        assertThat(err).as("no JVM warning (native access, Unsafe) for an operator").doesNotContain("WARNING");
        assertThat(out("serve")).isEmpty();
    }

    @Test
    void versionAndCheckConfigRunWithTheJavaUnderUsrLibJvmAndThroughASymbolicLink() throws Exception {
        Path link = Files.createDirectories(dir.resolve("usr-local-bin")).resolve("postern");
        Files.createSymbolicLink(link, home.resolve("bin/postern"));
        Result version = run(List.of(link.toString(), "--version"), baseEnvironment(), dir);
        assertThat(version.exitCode()).as(version.err()).isZero();
        assertThat(version.out()).matches("(?s)postern " + Pattern.quote(VERSION) + "( \\(commit [0-9a-f]{12}[^)]*\\))?\nJava 2\\d.*\n");
        assertThat(version.err()).isEmpty();

        Result check = run(List.of(home.resolve("bin/postern").toString(), "check-config", "--config", "conf/postern.yml"),
                baseEnvironment(), home);
        assertThat(check.exitCode()).as(check.err()).isZero();
        assertThat(check.out()).contains("hostname: \"mx.example.org\"  # config file");

        Path bad = Files.writeString(dir.resolve("bad.yml"), "max-recipients: lots\n");
        Result refused = run(List.of(home.resolve("bin/postern").toString(), "check-config", "--config", bad.toString()),
                baseEnvironment(), dir);
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err().strip().lines()).hasSize(1);
    }

    // ---- packaging/: what the Dockerfile and the systemd unit wrap

    @Test
    void theDockerfilesPathsCommandAndSettingsAreTheDistributions() throws Exception {
        String dockerfile = Files.readString(ROOT.resolve("packaging/Dockerfile"));
        Matcher add = Pattern.compile("(?m)^ADD (\\S+) /opt/$").matcher(dockerfile);
        assertThat(add.find()).as("ADD of the tarball").isTrue();
        assertThat(ROOT.resolve(add.group(1).replace("${VERSION}", VERSION))).isEqualTo(TARBALL);
        assertThat(dockerfile).contains("ln -s \"/opt/postern-${VERSION}\" /opt/postern");

        Matcher entrypoint = Pattern.compile("(?m)^ENTRYPOINT \\[\"(/opt/postern/[^\"]+)\"\\]$").matcher(dockerfile);
        assertThat(entrypoint.find()).isTrue();
        assertThat(installed(entrypoint.group(1))).isExecutable();
        assertThat(dockerfile).containsPattern("(?m)^CMD \\[\"serve\"\\]$").containsPattern("(?m)^USER postern:postern$");

        Map<String, String> env = new LinkedHashMap<>();
        Matcher envBlock = Pattern.compile("(?ms)^ENV (.*?[^\\\\])$").matcher(dockerfile);
        assertThat(envBlock.find()).isTrue();
        Matcher pair = Pattern.compile("(POSTERN_[A-Z_]+)=(\\S+)").matcher(envBlock.group(1));
        while (pair.find()) {
            env.put(pair.group(1), pair.group(2));
        }
        assertThat(env).containsKeys("POSTERN_LISTEN", "POSTERN_HTTP_LISTEN");
        int smtpPort = Integer.parseInt(env.get("POSTERN_LISTEN").replaceAll(".*:", ""));
        int httpPort = Integer.parseInt(env.get("POSTERN_HTTP_LISTEN").replaceAll(".*:", ""));
        assertThat(dockerfile).containsPattern("(?m)^EXPOSE " + smtpPort + " " + httpPort + "$")
                .contains("\"http://127.0.0.1:" + httpPort + MonitoringEndpoint.HEALTH + "\"");
        // The Maildir and the queue are the defaults, ./mail and ./queue, in the working directory, made for the user.
        assertThat(dockerfile).containsPattern("(?m)^WORKDIR /var/lib/postern$").containsPattern("(?m)^VOLUME \\[\"/var/lib/postern\"\\]$")
                .contains("mkdir -p /var/lib/postern/mail /var/lib/postern/queue", "chown -R postern:postern /var/lib/postern");

        // The image's command with the image's environment: every variable is a setting, the settings are valid.
        Map<String, String> run = new LinkedHashMap<>(baseEnvironment());
        run.putAll(env);
        Result check = run(List.of(installed(entrypoint.group(1)).toString(), "check-config"), run, dir);
        assertThat(check.exitCode()).as(check.err()).isZero();
        assertThat(check.err()).as("no unknown variable, no warning").isEmpty();
        assertThat(check.out()).contains("  - address: \"0.0.0.0:" + smtpPort + "\"  # environment POSTERN_LISTEN",
                "http-listen: \"0.0.0.0:" + httpPort + "\"  # environment POSTERN_HTTP_LISTEN",
                "# maildir: \"./mail\"  # default", "# queue-dir: \"./queue\"  # default");
    }

    @Test
    void theSystemdUnitsCommandRunsTheDistributionAndTheUnitVerifies() throws Exception {
        String unit = Files.readString(ROOT.resolve("packaging/postern.service"));
        Matcher exec = Pattern.compile("(?m)^ExecStart=(\\S+) serve --config (\\S+)$").matcher(unit);
        assertThat(exec.find()).isTrue();
        assertThat(installed(exec.group(1))).isExecutable();
        assertThat(exec.group(2)).isEqualTo("/etc/postern/postern.yml");
        assertThat(unit).contains("DynamicUser=yes", "ProtectSystem=strict", "NoNewPrivileges=yes", "CapabilityBoundingSet=\n",
                "StateDirectory=postern postern/mail postern/queue", "WorkingDirectory=/var/lib/postern", "KillSignal=SIGTERM");

        // The unit's command on the config file the install steps copy from conf/, in the unit's working directory.
        Path state = Files.createDirectories(dir.resolve("root/var/lib/postern"));
        Result check = run(List.of(installed(exec.group(1)).toString(), "check-config", "--config", home.resolve("conf/postern.yml").toString()),
                baseEnvironment(), state);
        assertThat(check.exitCode()).as(check.err()).isZero();
        assertThat(check.out()).contains("maildir: \"./mail\"  # config file");

        // systemd-analyze verify in a root that holds the distribution at /opt/postern as the install steps put it,
        // the system's own units (for the targets it names), and the unit.
        Path root = dir.resolve("root");
        Path units = Files.createDirectories(root.resolve("usr/lib/systemd"));
        assertThat(run(List.of("cp", "-a", "/usr/lib/systemd/system", units.toString()), Map.of("PATH", System.getenv("PATH")), dir)
                .exitCode()).isZero();
        Path installedUnit = Files.createDirectories(root.resolve("etc/systemd/system")).resolve("postern.service");
        Files.copy(ROOT.resolve("packaging/postern.service"), installedUnit);
        Result verify = run(List.of(which("systemd-analyze").toString(), "verify", "--root=" + root, "/etc/systemd/system/postern.service"),
                Map.of("PATH", System.getenv("PATH")), dir);
        assertThat(verify.exitCode()).as(verify.out() + verify.err()).isZero();
        assertThat(verify.out() + verify.err()).as("no unknown key, no bad value").isEmpty();
    }

    // ---- helpers

    /** A path under /opt/postern as the Dockerfile and the unit name it, in the unpacked distribution. */
    private Path installed(String optPath) {
        assertThat(optPath).startsWith("/opt/postern/");
        return dir.resolve("root").resolve(optPath.substring(1));
    }

    /** An empty environment but a PATH of the few tools the scripts need: no Maven, no javac, no source tree. */
    private Map<String, String> baseEnvironment() {
        return Map.of("PATH", path.toString());
    }

    private record Result(int exitCode, String out, String err) {
    }

    private Result run(List<String> command, Map<String, String> env, Path workDir) throws Exception {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        processes.add(p);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(String.join(" ", command) + " ends").isTrue();
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private Process start(String name, Map<String, String> env, Path workDir, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/postern").toString()));
        command.addAll(List.of(args).subList(1, args.length));
        command.add(1, args[0]);
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(dir.resolve(name + ".out").toFile())
                .redirectError(dir.resolve(name + ".err").toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    private String out(String name) throws IOException {
        return Files.readString(dir.resolve(name + ".out"));
    }

    private String err(String name) throws IOException {
        return Files.readString(dir.resolve(name + ".err"));
    }

    private void awaitListening(Process p, String name, int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            assertThat(p.isAlive()).as("postern still running; stderr: " + err(name)).isTrue();
            if (!refused(port)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("postern did not listen on port " + port + " within 60 s; stderr: " + err(name));
    }

    private static boolean refused(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private static HttpResponse<String> get(HttpClient http, URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The tool's path on this machine's PATH: a tool the test needs and does not find fails it. */
    private static Path which(String tool) {
        for (String entry : System.getenv("PATH").split(File.pathSeparator)) {
            Path candidate = Path.of(entry, tool);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError(tool + " is not on PATH; it is part of the Debian base system (systemd-analyze: package systemd)");
    }
}
