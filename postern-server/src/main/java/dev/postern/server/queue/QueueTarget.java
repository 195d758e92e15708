package dev.postern.server.queue;

import dev.postern.server.admin.AdminToken;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The options every {@code postern queue} command shares: which queue (a running server's admin endpoint,
 * or a stopped server's directory) and how to print. A picocli mixin.
 */
public final class QueueTarget {

    @Option(names = "--server", paramLabel = "URL",
            description = "A running server's monitoring endpoint, http://HOST:PORT (its --http-listen, started with --admin): "
                    + "the change goes through its queue manager at once.")
    String server;

    @Option(names = "--admin-token-file", paramLabel = "FILE",
            description = "File whose first line is the server's admin token; needed by actions with --server.")
    Path tokenFile;

    @Option(names = "--queue-dir", paramLabel = "DIR",
            description = "A stopped server's queue directory, changed directly under the queue's lock (a server started "
                    + "meanwhile waits for nothing: it fails as a second server would). Default: ./queue when --server is not given.")
    Path queueDir;

    @Option(names = "--hostname", paramLabel = "NAME",
            description = "With --queue-dir, the name a bounce's DSN comes from (MAILER-DAEMON@NAME). Default: this machine's name.")
    String hostname;

    @Option(names = "--json", description = "Print JSON for scripts instead of text.")
    boolean json;

    /**
     * @return the queue to work on, to be closed
     * @throws IllegalArgumentException when the options contradict each other or a value is wrong
     * @throws IOException              when the queue cannot be opened
     */
    QueueClient open() throws IOException {
        if (server != null && queueDir != null) {
            throw new IllegalArgumentException("--server and --queue-dir exclude each other: a running server's queue is "
                    + "changed through the server, a stopped one's directly");
        }
        if (server != null) {
            if (hostname != null) {
                throw new IllegalArgumentException("--hostname is for --queue-dir: a running server sends DSNs under its own name");
            }
            return new RemoteQueue(RemoteQueue.checkServer(server), tokenFile == null ? null : AdminToken.read(tokenFile));
        }
        if (tokenFile != null) {
            throw new IllegalArgumentException("--admin-token-file goes with --server: a queue directory is changed under its lock");
        }
        return LocalQueue.open(queueDir != null ? queueDir : Path.of("queue"), hostname);
    }
}
