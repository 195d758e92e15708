package dev.postern.server;

import dev.postern.Listener;
import dev.postern.SmtpServer;
import dev.postern.relay.queue.Fsync;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The server MaildirCrashTest kills: a Postern with a Maildir in its own JVM. Arguments: the Maildir, a file to
 * write the port to once listening, and "normal" or "hold-in-fsync" (the file's fsync writes a marker file
 * next to the port file and then waits, so that the test can kill the process inside the fsync window).
 */
public final class MaildirCrashChild {

    private MaildirCrashChild() {
    }

    public static void main(String[] args) throws Exception {
        Path maildir = Path.of(args[0]);
        Path portFile = Path.of(args[1]);
        boolean hold = args[2].equals("hold-in-fsync");
        Fsync fsync = !hold ? Fsync.REAL : new Fsync() {
            @Override
            public void file(FileChannel channel) throws IOException {
                Fsync.REAL.file(channel);
                Files.writeString(portFile.resolveSibling("in-fsync-window"), "yes");
                try {
                    Thread.sleep(120_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void directory(Path dir) throws IOException {
                Fsync.REAL.directory(dir);
            }
        };
        MaildirStore store = MaildirStore.open(maildir, new MaildirNames("mx.test", Clock.systemUTC()), fsync);
        SmtpServer server = SmtpServer.builder()
                .configure(c -> c.clearListeners().listen(Listener.of("127.0.0.1", 0)).hostname("mx.test"))
                .handler(new MaildirHandler(store, "mx.test", Clock.systemUTC()))
                .build()
                .start();
        Path tmp = portFile.resolveSibling(portFile.getFileName() + ".tmp");
        Files.writeString(tmp, String.valueOf(server.port()));
        Files.move(tmp, portFile);
        Thread.sleep(Long.MAX_VALUE);
    }
}
