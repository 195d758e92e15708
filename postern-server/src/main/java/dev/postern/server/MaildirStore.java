package dev.postern.server;

import dev.postern.ReceivedMessage;
import dev.postern.SmtpRejection;
import dev.postern.SmtpReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
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

    private MaildirStore(Path root, MaildirNames names, Fsync fsync) {
        this.tmpDir = root.resolve("tmp");
        this.newDir = root.resolve("new");
        this.names = names;
        this.fsync = fsync;
    }

    /** Opens the Maildir at {@code root}, creating it and its tmp/, new/ and cur/ as needed. */
    public static MaildirStore open(Path root, String hostname) throws IOException {
        return open(root, new MaildirNames(hostname, Clock.systemUTC()), Fsync.REAL);
    }

    static MaildirStore open(Path root, MaildirNames names, Fsync fsync) throws IOException {
        for (String sub : new String[] {"tmp", "new", "cur"}) {
            Files.createDirectories(root.resolve(sub));
        }
        return new MaildirStore(root, names, fsync);
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
            return inNew;
        } catch (IOException e) {
            String detail = "cannot store message " + message.id() + " in " + newDir.getParent() + ": " + e;
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
