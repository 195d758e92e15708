package dev.postern.server;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code ./postern} launcher run as a child process, as a user runs it, from the worktree root, with
 * POSTERN_NO_BUILD=1: the *IT tests run after package, and the launcher must not rebuild under the Maven
 * build that runs it. Each run's stdout and stderr go to NAME.out and NAME.err in the test's directory.
 * {@link #close} kills (SIGKILL) exactly the processes it started that still run.
 */
final class Launcher implements AutoCloseable {

    /** The worktree root: Maven runs tests in the module directory. */
    static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    private final Path dir;
    private final List<Process> processes = new ArrayList<>();

    Launcher(Path dir) {
        this.dir = dir;
    }

    /** Starts {@code ./postern ARGS}, its output in NAME.out and NAME.err. */
    Process start(String name, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(ROOT.resolve("postern").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(dir.resolve(name + ".out").toFile())
                .redirectError(dir.resolve(name + ".err").toFile());
        pb.environment().put("POSTERN_NO_BUILD", "1");
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    String out(String name) throws IOException {
        return Files.readString(dir.resolve(name + ".out"));
    }

    String err(String name) throws IOException {
        return Files.readString(dir.resolve(name + ".err"));
    }

    /** Waits up to 60 s (a cold JVM on a busy machine) until {@code p} accepts connections on 127.0.0.1:{@code port}. */
    void awaitListening(Process p, String name, int port) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            assertThat(p.isAlive()).as("postern still running; stderr: " + err(name)).isTrue();
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("postern did not listen on port " + port + " within 60 s; stderr: " + err(name));
    }

    /** Waits for {@code p} to exit within {@code seconds} and returns its exit status. */
    static int exitCode(Process p, long seconds) throws InterruptedException {
        assertThat(p.waitFor(seconds, TimeUnit.SECONDS)).as("postern exits within " + seconds + " s").isTrue();
        return p.exitValue();
    }

    @Override
    public void close() {
        processes.stream().filter(Process::isAlive).forEach(Process::destroyForcibly);
    }
}
