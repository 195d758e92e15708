package dev.postern.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a real third-party peer (swaks, smtp-source, ...) with a time bound. A missing tool fails the
 * test with a clear message rather than skipping it: `.ci/run` installs every tool the tests use.
 */
public final class ExternalTool {

    /** What the tool printed and how it ended. */
    public record Result(int exitCode, String output) {
    }

    private ExternalTool() {
    }

    public static Result run(Duration timeout, List<String> command) throws IOException, InterruptedException {
        String tool = command.get(0);
        if (tool.contains("/") ? !Files.isExecutable(Path.of(tool)) : !onPath(tool)) {
            throw new AssertionError(tool + " is not installed: run .ci/run or apt-get install it");
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(tool + " did not finish within " + timeout);
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    public static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", tool));
    }
}
