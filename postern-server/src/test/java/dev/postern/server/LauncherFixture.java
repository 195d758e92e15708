package dev.postern.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * What every IT of the packaged {@code ./postern} launcher sets up: a temporary directory per test and a
 * {@link Launcher} working in it, which after the test stops exactly the processes it started (a subclass's
 * own {@code @AfterEach} methods run first).
 */
abstract class LauncherFixture {

    @TempDir
    Path dir;

    Launcher launcher;

    @BeforeEach
    final void launcher() {
        launcher = new Launcher(dir);
    }

    @AfterEach
    final void killLeftovers() {
        launcher.close();
    }
}
