package dev.postern.server;

import dev.postern.testing.PeerProcess;
import dev.postern.testing.RawSmtpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The launcher's class-data sharing for {@code serve}: the first server after a build records the archive
 * when it stops (SIGTERM), the next one maps the server's classes from it, and {@code POSTERN_CDS=0} does
 * neither. Runs {@code ./postern} as a user does (see {@link Launcher}).
 */
@Timeout(180)
class LauncherCdsIT {

    private static final Path ARCHIVE = Launcher.ROOT.resolve("postern-server/target/postern-cds.jsa");

    @TempDir
    Path dir;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        started.stream().filter(Process::isAlive).forEach(Process::destroyForcibly);
    }

    private Process serve(String name, Map<String, String> env, int port) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(Launcher.ROOT.resolve("postern").toString(), "serve", "--discard",
                "--listen", "127.0.0.1:" + port)
                .directory(Launcher.ROOT.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(dir.resolve(name + ".out").toFile())
                .redirectError(dir.resolve(name + ".err").toFile());
        pb.environment().put("POSTERN_NO_BUILD", "1");
        pb.environment().putAll(env);
        Process p = pb.start();
        started.add(p);
        return p;
    }

    /** Starts a server, waits until it listens, stops it with SIGTERM; its stderr. */
    private String serveAndStop(String name, Map<String, String> env) throws Exception {
        int port = PeerProcess.freePort();
        Process p = serve(name, env, port);
        new Launcher(dir).awaitListening(p, name, port);
        // One session first: the server registers its SIGTERM hook just after it starts listening, and a
        // signal in between ends the JVM with 143 (a window LauncherIT's tests never hit either).
        try (RawSmtpClient client = new RawSmtpClient(port)) {
            assertThat(client.reply()).startsWith("220");
            assertThat(client.cmd("QUIT")).startsWith("221");
        }
        p.destroy(); // SIGTERM
        assertThat(Launcher.exitCode(p, 60)).isZero();
        return Files.readString(dir.resolve(name + ".err"));
    }

    @Test
    void theFirstServeRecordsTheArchiveAndTheNextMapsItsClassesFromIt() throws Exception {
        Files.deleteIfExists(ARCHIVE);
        String first = serveAndStop("first", Map.of());
        assertThat(ARCHIVE).as("recorded at the first server's stop").isNotEmptyFile();
        assertThat(first).doesNotContainIgnoringCase("cds").doesNotContain("[warning]");

        Path classes = dir.resolve("classes.log");
        String second = serveAndStop("second", Map.of("JAVA_OPTS", "-Xlog:class+load=info:file=" + classes));
        assertThat(second).doesNotContain("[warning]");
        assertThat(Files.readAllLines(classes))
                .as("the server's own classes come from the archive")
                .anyMatch(l -> l.contains(" dev.postern.server.StandaloneServer source: shared objects file"))
                .anyMatch(l -> l.contains(" io.netty.channel.epoll.EpollIoHandler source: shared objects file"));
    }

    @Test
    void posternCdsZeroNeitherRecordsNorUsesAnArchive() throws Exception {
        Files.deleteIfExists(ARCHIVE);
        serveAndStop("off", Map.of("POSTERN_CDS", "0"));
        assertThat(ARCHIVE).doesNotExist();
    }
}
