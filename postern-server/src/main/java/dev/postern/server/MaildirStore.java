package dev.postern.server;

import dev.postern.Message;
import dev.postern.SmtpRejection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;

/**
 * Delivers messages into a Maildir (https://cr.yp.to/proto/maildir.html): write to tmp/, flush,
 * rename into new/, flush new/. A message is in new/ complete and durable when {@link #deliver}
 * returns, or not there at all: any failure removes what was written and answers 451 4.3.0, so the
 * client keeps the message and tries again later. Safe for concurrent use.
 */
public final class MaildirStore {

    private static final Logger LOG = LoggerFactory.getLogger(MaildirStore.class);

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
     * @throws SmtpRejection 451 4.3.0 when the message could not be stored durably
     */
    public Path deliver(Message message) {
        String name = names.next();
        Path inTmp = tmpDir.resolve(name);
        Path inNew = newDir.resolve(name);
        Path leftover = null;
        boolean delivered = false;
        try {
            try (FileChannel out = FileChannel.open(inTmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                leftover = inTmp;
                try (InputStream in = message.openStream()) {
                    in.transferTo(Channels.newOutputStream(out));
                }
                fsync.file(out);
            }
            Files.move(inTmp, inNew, StandardCopyOption.ATOMIC_MOVE);
            leftover = inNew;
            fsync.directory(newDir);
            delivered = true;
            return inNew;
        } catch (IOException e) {
            LOG.error("cannot store message {} in {}: {}", message.id(), newDir.getParent(), e.toString());
            throw SmtpRejection.of(451, "4.3.0", "Cannot store the message now, try again later");
        } finally {
            if (!delivered) {
                removeQuietly(leftover);
            }
        }
    }

    /**
     * Best effort: the delivery already failed and the client will be told so. A file left in new/
     * after a failed directory flush would be a duplicate once the client retries, so it goes too.
     */
    private static void removeQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("cannot remove {} after a failed delivery: {}", file, e.toString());
        }
    }
}
