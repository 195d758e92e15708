package dev.postern.server;

import dev.postern.testing.ExternalTool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Makes a directory refuse new files until closed, even to root (which ignores permission bits): as
 * root with {@code chattr +i} (immutable, ext4 and most Linux file systems), otherwise with mode 555.
 */
final class Unwritable implements AutoCloseable {

    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    private final Path directory;
    private final Set<PosixFilePermission> mode;

    private Unwritable(Path directory) throws IOException {
        this.directory = directory;
        this.mode = Files.getPosixFilePermissions(directory);
    }

    static Unwritable make(Path directory) throws Exception {
        Unwritable u = new Unwritable(directory);
        if (ROOT) {
            chattr("+i", directory);
        } else {
            Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("r-xr-xr-x"));
        }
        return u;
    }

    private static void chattr(String flag, Path directory) throws Exception {
        ExternalTool.Result r = ExternalTool.run(Duration.ofSeconds(10), List.of("chattr", flag, directory.toString()));
        if (r.exitCode() != 0) {
            throw new AssertionError("chattr " + flag + " " + directory + ": " + r.output());
        }
    }

    @Override
    public void close() throws Exception {
        if (ROOT) {
            chattr("-i", directory);
        } else {
            Files.setPosixFilePermissions(directory, mode);
        }
    }
}
