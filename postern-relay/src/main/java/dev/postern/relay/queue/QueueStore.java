package dev.postern.relay.queue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static dev.postern.relay.queue.MailQueue.LOG;

/**
 * The queue directory, after Postfix's queue: every file is written in {@code tmp/}, flushed, and
 * renamed into place, and the directory it lands in is flushed after the rename. A crash thus leaves
 * each file whole in its old or its new version, never torn.
 * <pre>
 * queue/
 *   lock          the {@link QueueLock}
 *   tmp/          files being written: whatever is here at load is a crash's leftover, removed
 *   content/ID    the message as received; written once, before the message exists
 *   state/ID      the envelope and delivery state ({@link StateCodec}); the message exists iff this exists
 *   corrupt/      state files that could not be read at load, with their content, for an operator
 * </pre>
 * Enqueue flushes the content into {@code content/} before the state makes the message visible, so a
 * visible message always has its content; content without state (a crash in between, or during a
 * removal, which deletes the state first) is removed at load.
 */
final class QueueStore {

    /** Content written and flushed in tmp/, not yet in place. */
    record Written(String id, Path file, long size) {
    }

    private final Path directory;
    private final Path tmp;
    private final Path content;
    private final Path state;
    private final Fsync fsync;

    QueueStore(Path directory, Fsync fsync) throws IOException {
        this.directory = directory;
        this.tmp = Files.createDirectories(directory.resolve("tmp"));
        this.content = Files.createDirectories(directory.resolve("content"));
        this.state = Files.createDirectories(directory.resolve("state"));
        this.fsync = fsync;
    }

    Path directory() {
        return directory;
    }

    List<QueuedMessage> load() throws IOException {
        int leftovers = 0;
        for (Path p : list(tmp)) {
            Files.delete(p);
            leftovers++;
        }
        List<QueuedMessage> loaded = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (Path p : list(state)) {
            String id = p.getFileName().toString();
            QueuedMessage m = null;
            String problem;
            try {
                problem = problem(id, m = StateCodec.decode(Files.readAllBytes(p)));
            } catch (RuntimeException e) {
                problem = e.toString();
            }
            if (problem == null) {
                loaded.add(m);
                ids.add(id);
            } else {
                quarantine(id, problem);
            }
        }
        for (Path p : list(content)) {
            if (!ids.contains(p.getFileName().toString())) {
                Files.delete(p);
                leftovers++;
            }
        }
        if (leftovers > 0) {
            LOG.info("queue {}: removed {} leftover file(s) of writes a stop interrupted", directory, leftovers);
        }
        return loaded;
    }

    private String problem(String id, QueuedMessage m) throws IOException {
        Path body = content.resolve(id);
        if (!QueueIds.isValid(id) || !m.id().equals(id)) {
            return "the file name is not the message's queue id " + m.id();
        }
        if (!Files.isRegularFile(body)) {
            return "its content file is missing";
        }
        if (Files.size(body) != m.size()) {
            return "its content has " + Files.size(body) + " octets, not " + m.size();
        }
        return null;
    }

    private void quarantine(String id, String problem) throws IOException {
        Path corrupt = Files.createDirectories(directory.resolve("corrupt"));
        Files.move(state.resolve(id), corrupt.resolve(id + ".state"), StandardCopyOption.REPLACE_EXISTING);
        if (Files.exists(content.resolve(id))) {
            Files.move(content.resolve(id), corrupt.resolve(id + ".content"), StandardCopyOption.REPLACE_EXISTING);
        }
        LOG.error("queue {}: message {} not loaded ({}); its files are moved to {}", directory, id, problem, corrupt);
    }

    /**
     * Writes content to tmp/ and flushes it.
     *
     * @return what was written, or null (nothing left behind) when it is longer than {@code maxSize}
     */
    Written writeContent(String id, InputStream in, long maxSize) throws IOException {
        Path file = tmp.resolve(id + ".content");
        boolean kept = false;
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            byte[] buffer = new byte[64 * 1024];
            long size = 0;
            for (int n; (n = in.read(buffer)) >= 0; ) {
                size += n;
                if (size > maxSize) {
                    return null;
                }
                ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
                while (chunk.hasRemaining()) {
                    out.write(chunk);
                }
            }
            fsync.file(out);
            kept = true;
            return new Written(id, file, size);
        } finally {
            if (!kept) {
                Files.deleteIfExists(file);
            }
        }
    }

    /** Moves flushed content into place and writes the state that makes the message visible. */
    void publish(Written written, QueuedMessage m) throws IOException {
        Files.move(written.file(), content.resolve(written.id()), StandardCopyOption.ATOMIC_MOVE);
        fsync.directory(content);
        writeState(m);
    }

    /** Replaces the state file atomically: temp file, flush, rename over the old one, flush the directory. */
    void writeState(QueuedMessage m) throws IOException {
        Path file = Files.createTempFile(tmp, m.id() + ".", ".state");
        try {
            try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ByteBuffer bytes = ByteBuffer.wrap(StateCodec.encode(m));
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
                fsync.file(out);
            }
            Files.move(file, state.resolve(m.id()), StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(file);
        }
        fsync.directory(state);
    }

    /** Removes a message: the state first (from then on it does not exist), then the content. */
    void delete(String id) throws IOException {
        Files.deleteIfExists(state.resolve(id));
        fsync.directory(state);
        Files.deleteIfExists(content.resolve(id));
    }

    /**
     * Takes back what a failed enqueue wrote, best effort: the client is told the message was not taken,
     * so a state file left visible (its directory flush failed) would become a duplicate when it retries.
     */
    void discard(String id) {
        for (Path p : new Path[] {tmp.resolve(id + ".content"), state.resolve(id), content.resolve(id)}) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                LOG.warn("queue {}: cannot remove {} after a failed enqueue: {}", directory, p, e.toString());
            }
        }
    }

    InputStream openContent(String id) throws IOException {
        return Files.newInputStream(content.resolve(id));
    }

    boolean exists(String id) {
        return Files.exists(state.resolve(id)) || Files.exists(content.resolve(id));
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
