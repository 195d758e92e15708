package dev.postern.server.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Whether a users file is kept from other local users: readable by group or others it would hand them
 * every hash to crack offline (and a {@code {plain}} password outright); writable by them, a way to add
 * a user. OpenSSH refuses a private key for the same reason.
 */
final class FilePermissions {

    private static final Set<PosixFilePermission> TOO_OPEN = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);

    private FilePermissions() {
    }

    /** What the check found. */
    sealed interface Verdict permits Private, TooOpen, NotPosix {
    }

    /** Only the owner may read or write it. */
    record Private() implements Verdict {
    }

    /** Group or others may read or write it: {@code reason} is one line saying who and what to do. */
    record TooOpen(String reason) implements Verdict {
    }

    /** The file system has no POSIX permissions (FAT, SMB, Windows): nothing to check. */
    record NotPosix() implements Verdict {
    }

    static Verdict check(Path file) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (view == null) {
            return new NotPosix();
        }
        Set<PosixFilePermission> permissions = view.readAttributes().permissions();
        if (Collections.disjoint(permissions, TOO_OPEN)) {
            return new Private();
        }
        List<String> who = new ArrayList<>();
        if (permissions.contains(PosixFilePermission.GROUP_READ) || permissions.contains(PosixFilePermission.GROUP_WRITE)) {
            who.add("its group");
        }
        if (permissions.contains(PosixFilePermission.OTHERS_READ) || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
            who.add("other users");
        }
        return new TooOpen("users file " + file + " is " + PosixFilePermissions.toString(permissions) + ": "
                + String.join(" and ", who) + " may read or change the password hashes; make it readable by this "
                + "server's user only (chmod 600 " + file + ")");
    }
}
