package dev.postern.netty;

import dev.postern.SmtpHandler;
import dev.postern.SmtpServer;
import dev.postern.testing.ExternalTool;
import dev.postern.testing.RawSmtpClient;
import dev.postern.tls.TlsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a fresh JVM loads for one embedded server's cycle (start, greeting, QUIT, stop), read from the
 * JDK's own class-loading log: a configuration without TLS loads no TLS and no Bouncy Castle class, an
 * embedded server no native transport, Netty's buffer events do not set up Flight Recorder, and no
 * annotation is read by reflection (the JDK's first one spins proxy classes: see {@link InboundHandler}).
 */
class ColdStartClassesTest {

    /** The child JVM's program: one cycle, with TLS (a self-signed certificate) when asked. */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("builder-only")) {
            SmtpServer.builder(); // no server: only what the first use of SmtpServer starts
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().equals("postern-cold-start")) {
                    t.join(30_000);
                }
            }
            return;
        }
        SmtpServer.Builder builder = SmtpServer.builder().listen("127.0.0.1", 0).hostname("mx.test").handler(new SmtpHandler() { });
        if (args.length > 0 && args[0].equals("tls")) {
            builder.configure(c -> c.tls(TlsConfig.selfSigned("mx.test").build()));
        }
        SmtpServer server = builder.build().start();
        try (RawSmtpClient client = new RawSmtpClient(server.port())) {
            if (!client.reply().startsWith("220") || !client.cmd("QUIT").startsWith("221")) {
                throw new AssertionError("no 220 or 221");
            }
        }
        server.stop(Duration.ofSeconds(5));
    }

    private static List<String> classesLoaded(Path dir, String... args) throws Exception {
        return classesLoaded(dir, List.of(), args);
    }

    private static List<String> classesLoaded(Path dir, List<String> jvmOptions, String... args) throws Exception {
        Path log = dir.resolve("classes.log");
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new java.util.ArrayList<>(List.of(java, "-Xlog:class+load=info:file=" + log));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), ColdStartClassesTest.class.getName()));
        command.addAll(List.of(args));
        ExternalTool.Result result = ExternalTool.run(Duration.ofSeconds(60), command);
        assertThat(result.exitCode()).as(result.output()).isZero();
        return Files.readAllLines(log).stream()
                .filter(l -> l.contains("[class,load] "))
                .map(l -> l.substring(l.indexOf("[class,load] ") + 13).split(" ")[0])
                .toList();
    }

    @Test
    void withoutTlsNoTlsNorBouncyCastleNorEpollNorFlightRecorderClassIsLoaded(@TempDir Path dir) throws Exception {
        List<String> classes = classesLoaded(dir);
        assertThat(classes).contains(SmtpServer.class.getName(), "io.netty.channel.nio.NioIoHandler");
        assertThat(classes).noneMatch(c -> c.startsWith("org.bouncycastle."))
                .noneMatch(c -> c.startsWith("io.netty.handler.ssl."))
                .noneMatch(c -> c.startsWith("javax.net.ssl."))
                .noneMatch(c -> c.startsWith("sun.security.ssl."))
                .noneMatch(c -> c.startsWith("io.netty.channel.epoll."))
                .noneMatch(c -> c.startsWith("dev.postern.tls.internal."))
                .noneMatch(c -> c.equals(ServerSslContext.class.getName()))
                .noneMatch(c -> c.startsWith("jdk.jfr.internal.MetadataLoader"));
    }

    @Test
    void noAnnotationIsReadByReflection(@TempDir Path dir) throws Exception {
        // Reading an annotation makes the JDK generate a proxy class for it (ProxyGenerator); Netty reads @Sharable
        // and @Skip off its adapter classes, which Postern's handlers avoid (InboundHandler, Acceptor). SLF4J's NOP
        // provider keeps the test's logback, which reads annotations when it configures itself, out of the child.
        List<String> classes = classesLoaded(dir, List.of("-Dslf4j.provider=org.slf4j.helpers.NOP_FallbackServiceProvider"));
        assertThat(classes).contains(SmtpServer.class.getName(), Acceptor.class.getName())
                .doesNotContain("java.lang.reflect.ProxyGenerator", "sun.reflect.annotation.AnnotationType");
    }

    @Test
    void withTlsTheyAre(@TempDir Path dir) throws Exception {
        // the other side of the test above: the log shows TLS classes when the configuration needs them
        List<String> classes = classesLoaded(dir, "tls");
        assertThat(classes).anyMatch(c -> c.startsWith("org.bouncycastle."))
                .anyMatch(c -> c.startsWith("io.netty.handler.ssl."))
                .contains(ServerSslContext.class.getName());
    }

    /** The names ColdStart loads ahead (bench/startup.sh --write-class-list); a stale name would only be skipped. */
    private static List<String> coldStartList() throws Exception {
        try (var in = ColdStart.class.getResourceAsStream("cold-start-classes.txt")) {
            assertThat(in).as("cold-start-classes.txt").isNotNull();
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).lines().toList();
        }
    }

    @Test
    void theColdStartListNamesClassesThatExistAndNoneOfTlsOrTheNativeTransport() throws Exception {
        List<String> names = coldStartList();
        assertThat(names).hasSizeGreaterThan(300)
                .contains(SessionBridge.class.getName(), "io.netty.channel.nio.NioIoHandler")
                .noneMatch(c -> c.startsWith("io.netty.handler.ssl.") || c.startsWith("io.netty.channel.epoll.")
                        || c.startsWith("dev.postern.tls.internal.") || c.equals(ServerSslContext.class.getName()));
        for (String name : names) {
            // regenerate the list (bench/startup.sh --write-class-list) when a Netty upgrade makes this fail
            Class.forName(name, false, ColdStart.class.getClassLoader());
        }
    }

    @Test
    void theFirstUseOfSmtpServerLoadsNettyAheadOnAnotherThreadUnlessTurnedOff(@TempDir Path dir) throws Exception {
        assertThat(classesLoaded(dir, "builder-only")).contains("io.netty.channel.nio.NioIoHandler",
                Acceptor.class.getName(), SessionBridge.class.getName());
        assertThat(classesLoaded(dir, List.of("-Dpostern.coldStartLoading=false"), "builder-only"))
                .doesNotContain("io.netty.channel.nio.NioIoHandler", SessionBridge.class.getName());
    }
}
