package dev.postern.relay.testing;

import dev.postern.testing.PeerProcess;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A system user for danted's {@code username} method, created for one test and removed after it. The
 * tests run as root (as CI does); the user has no home and no login shell.
 */
public final class SystemUser implements AutoCloseable {

    private final String name;

    private SystemUser(String name) {
        this.name = name;
    }

    public static SystemUser create(String name, String password) throws IOException, InterruptedException {
        run(List.of("/usr/sbin/userdel", name), true);
        run(List.of("/usr/sbin/useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", name), false);
        SystemUser user = new SystemUser(name);
        try {
            Process p = new ProcessBuilder("/usr/sbin/chpasswd").redirectErrorStream(true).start();
            p.getOutputStream().write((name + ":" + password + "\n").getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError("chpasswd failed: " + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            user.close();
            throw e;
        }
        return user;
    }

    public String name() {
        return name;
    }

    private static void run(List<String> command, boolean mayFail) throws IOException, InterruptedException {
        PeerProcess.requireProgram(command.get(0));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish");
        }
        if (!mayFail && p.exitValue() != 0) {
            throw new AssertionError(command + " failed (the tests must run as root): "
                    + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Override
    public void close() throws IOException {
        try {
            run(List.of("/usr/sbin/userdel", name), true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while removing user " + name, e);
        }
    }
}
