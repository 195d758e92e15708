package dev.postern.server;

import dev.postern.ReceivedMessage;
import dev.postern.SmtpRejection;
import dev.postern.SmtpReply;
import dev.postern.relay.queue.Fsync;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;

/**
 * Delivers messages into a Maildir (https://cr.yp.to/proto/maildir.html): write to tmp/, flush,
 * link into new/ (never replacing a file there), remove the tmp/ name, flush new/. A message is in new/ complete and durable when {@link #deliver}
 * returns, or not there at all: any failure removes what was written and answers 451 4.3.0, so the
 * client keeps the message and tries again later. Safe for concurrent use.
 */
public final class MaildirStore {

    /**
     * The 451 4.3.0 for a message that could not be stored, with what went wrong for the log (the
     * client is not told the server's paths).
     */
    public static final class DeliveryFailed extends SmtpRejection {
        private final String detail;

        DeliveryFailed(String detail) {
            super(SmtpReply.of(451, "4.3.0", "Cannot store the message now, try again later"));
            this.detail = detail;
        }

        /** One line for the log: the message, the maildir and the error. */
        public String detail() {
            return detail;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(MaildirStore.class);

    /** Names tried for one message before a collision is a failure (451): each is new, so one is plenty. */
    static final int NAME_ATTEMPTS = 4;

    private final Path tmpDir;
    private final Path newDir;
    private final MaildirNames names;
    private final Fsync fsync;
    /** What the last delivery failed of, or null after a success. */
    private volatile String lastFailure;

    /** The probe's data in tmp/: one file-system block. */
    private static final int PROBE_OCTETS = 4096;

    private MaildirStore(Path root, MaildirNames names, Fsync fsync) {
        this.tmpDir = root.resolve("tmp");
        this.newDir = root.resolve("new");
        this.names = names;
        this.fsync = fsync;
    }

    /**
     * Opens the Maildir at {@code root}, creating it and its tmp/, new/ and cur/ as needed, and checks
     * that a message can be written into it ({@link #checkWritable}).
     *
     * @throws IOException if it cannot be created, or {@link NotWritable} if it exists but takes no message
     */
    public static MaildirStore open(Path root, String hostname) throws IOException {
        return open(root, new MaildirNames(hostname, Clock.systemUTC()), Fsync.REAL);
    }

    static MaildirStore open(Path root, MaildirNames names, Fsync fsync) throws IOException {
        for (String sub : new String[] {"tmp", "new", "cur"}) {
            Files.createDirectories(root.resolve(sub));
        }
        MaildirStore store = new MaildirStore(root, names, fsync);
        // Refused at start, in one line, rather than a 451 for every message.
        store.checkWritable();
        return store;
    }

    /** A Maildir that exists but into which no message can be written; the message is one line. */
    public static final class NotWritable extends IOException {
        NotWritable(String message, IOException cause) {
            super(message, cause);
        }
    }

    /**
     * Checks, by doing it, that a block can be written in tmp/ and in new/ (a rename
     * needs both): permissions, a read-only or full file system, an immutable directory. Access checks would
     * not do: root passes them all. The probe files are hidden ({@code .postern-check-...}, which Maildir
     * readers skip) and removed at once.
     *
     * @throws NotWritable naming the directory and the error
     */
    void checkWritable() throws NotWritable {
        // Not a Maildir name: the probe must not use up one of the sequence numbers deliveries take.
        String name = ".postern-check-" + java.util.UUID.randomUUID();
        probe(tmpDir.resolve(name));
        probe(newDir.resolve(name));
    }

    /**
     * Why the store cannot take messages now, or null. After a failed delivery it is failing until a
     * delivery succeeds or {@link #checkWritable} passes again, which this tries at each call.
     */
    public String failure() {
        String failing = lastFailure;
        if (failing == null) {
            return null;
        }
        try {
            checkWritable();
        } catch (NotWritable e) {
            return e.getMessage();
        }
        lastFailure = null;
        LOG.info("maildir {} takes messages again", newDir.getParent());
        return null;
    }

    private void probe(Path file) throws NotWritable {
        try {
            try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                // One block: on a full file system an empty file may still be created.
                out.write(ByteBuffer.allocate(PROBE_OCTETS));
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new NotWritable("maildir " + newDir.getParent() + " is not writable: cannot write a file in "
                    + file.getParent() + " (" + e + ")", e);
        }
    }

    /**
     * Writes the message content exactly as the library hands it over (with the fields hooks added,
     * such as Received) and returns its path in new/.
     *
     * <p>Nothing already in the Maildir is ever replaced, whoever else delivers into it (another
     * replica sharing the directory, a name that repeats): the file is created in tmp/ only if its name
     * is free there, then linked into new/ only if the name is free there too, as the Maildir
     * specification does it (a rename would silently replace a file of the same name). A name taken
     * in either place makes the delivery take the next name, up to {@value #NAME_ATTEMPTS} times.
     *
     * @throws DeliveryFailed (451 4.3.0) when the message could not be stored durably
     */
    public Path deliver(ReceivedMessage message) {
        Path inTmp = null;
        Path inNew = null;
        boolean delivered = false;
        try {
            inTmp = createInTmp();
            try (FileChannel out = FileChannel.open(inTmp, StandardOpenOption.WRITE)) {
                try (InputStream in = message.openStream()) {
                    in.transferTo(Channels.newOutputStream(out));
                }
                fsync.file(out);
            }
            inNew = linkIntoNew(inTmp);
            Files.delete(inTmp);
            inTmp = null;
            fsync.directory(newDir);
            delivered = true;
            lastFailure = null;
            return inNew;
        } catch (IOException e) {
            String detail = "cannot store message " + message.id() + " in " + newDir.getParent() + ": " + e;
            lastFailure = detail;
            String notRemoved = removeQuietly(inTmp, inNew);
            inTmp = null;
            inNew = null;
            throw new DeliveryFailed(notRemoved == null ? detail : detail + "; " + notRemoved);
        } finally {
            // Any other failure (the message stream may throw what it likes) cleans up as well.
            String notRemoved = delivered ? null : removeQuietly(inTmp, inNew);
            if (notRemoved != null) {
                LOG.warn(notRemoved);
            }
        }
    }

    /** Creates an empty file in tmp/ under the next free name (never one that exists) and returns it. */
    private Path createInTmp() throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return Files.createFile(tmpDir.resolve(names.next()));
            } catch (FileAlreadyExistsException taken) {
                if (attempt == NAME_ATTEMPTS) {
                    throw taken;
                }
            }
        }
    }

    /** Links {@code inTmp} into new/ under its own name, or the next free one; returns the link. */
    private Path linkIntoNew(Path inTmp) throws IOException {
        Path target = newDir.resolve(inTmp.getFileName());
        for (int attempt = 1; ; attempt++) {
            try {
                return Files.createLink(target, inTmp);
            } catch (FileAlreadyExistsException taken) {
                if (attempt == NAME_ATTEMPTS) {
                    throw taken;
                }
                target = newDir.resolve(names.next());
            }
        }
    }

    /** Both files a failed delivery may leave, tmp/'s first; what could not be removed, or null. */
    private static String removeQuietly(Path inTmp, Path inNew) {
        String tmp = removeQuietly(inTmp);
        String fresh = removeQuietly(inNew);
        if (tmp == null) {
            return fresh;
        }
        return fresh == null ? tmp : tmp + "; " + fresh;
    }

    /**
     * Best effort: the delivery already failed and the client will be told so. A file left in new/
     * after a failed directory flush would be a duplicate once the client retries, so it goes too.
     *
     * @return what could not be removed, for the log, or null
     */
    private static String removeQuietly(Path file) {
        if (file == null) {
            return null;
        }
        try {
            Files.deleteIfExists(file);
            return null;
        } catch (IOException e) {
            return "cannot remove " + file + " after the failed delivery: " + e;
        }
    }
}
