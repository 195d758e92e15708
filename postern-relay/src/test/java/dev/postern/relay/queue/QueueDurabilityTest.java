package dev.postern.relay.queue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The queue's durability and bounds at their edges: a removal's flush, the octet limit to the octet and
 * across a restart, and the answers of update and remove that the manager relies on.
 */
class QueueDurabilityTest {

    @TempDir
    Path dir;

    private List<String> files(String sub) throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve(sub))) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }

    /** Removing flushes state/ once the state file is gone, before the content goes: no message comes back after a crash. */
    @Test
    void removingFlushesTheStateDirectoryBeforeTheContentGoes() throws IOException {
        List<String> events = new ArrayList<>();
        try (QueueFixture fx = new QueueFixture(dir)) {
            fx.fsync = new Fsync() {
                @Override
                public void file(FileChannel channel) throws IOException {
                    Fsync.REAL.file(channel);
                }

                @Override
                public void directory(Path d) throws IOException {
                    events.add("directory " + dir.relativize(d) + "; state/ " + files("state").size() + ", content/ " + files("content").size());
                    Fsync.REAL.directory(d);
                }
            };
            fx.open();
            String id = fx.enqueue("alice@example.org", "bob@example.net");
            events.clear();
            assertThat(fx.queue.remove(id)).isTrue();
            assertThat(events).containsExactly("directory state; state/ 0, content/ 1");
            assertThat(files("content")).isEmpty();
            assertThat(fx.queue.remove(id)).isFalse();
        }
    }

    /** maxBytes is a bound to the octet, kept across a restart (the loaded messages count). */
    @Test
    void theOctetLimitIsExactAndSurvivesARestart() throws IOException {
        int size = QueueFixture.CONTENT.length;
        try (QueueFixture fx = new QueueFixture(dir)) {
            fx.limits = new MailQueue.Limits(100, size * 2L);
            fx.open();
            fx.enqueue("a@example.org", "b@example.net");
            assertThat(fx.queue.hasRoomFor(size)).isTrue();
            assertThat(fx.queue.hasRoomFor(size + 1)).isFalse();
            fx.close();
            fx.open();
            assertThat(fx.queue.hasRoomFor(size)).isTrue();
            assertThat(fx.queue.hasRoomFor(size + 1)).isFalse();
            fx.enqueue("a@example.org", "b@example.net"); // exactly full
            assertThat(fx.queue.hasRoomFor(1)).isFalse();
            assertThatThrownBy(() -> fx.enqueue("a@example.org", "b@example.net")).isInstanceOf(QueueFullException.class);
            fx.close();
            fx.open();
            assertThat(fx.queue.hasRoomFor(1)).isFalse();
        }
    }

    @Test
    void theMessageLimitSurvivesARestart() throws IOException {
        try (QueueFixture fx = new QueueFixture(dir)) {
            fx.limits = new MailQueue.Limits(2, 1 << 20);
            fx.open();
            fx.enqueue("a@example.org", "b@example.net");
            fx.close();
            fx.open();
            assertThat(fx.queue.hasRoomFor(0)).isTrue();
            fx.enqueue("a@example.org", "b@example.net");
            assertThat(fx.queue.hasRoomFor(0)).isFalse();
        }
    }

    @Test
    void updateAnswersWhetherItWroteTheState() throws IOException {
        try (QueueFixture fx = new QueueFixture(dir)) {
            fx.open();
            String id = fx.enqueue("alice@example.org", "bob@example.net");
            QueuedMessage held = fx.message(id).map(r -> true, r -> r.withHeld(true));
            assertThat(fx.queue.update(held)).isTrue();
            assertThat(fx.message(id)).isEqualTo(held);
            assertThat(fx.queue.remove(id)).isTrue();
            assertThat(fx.queue.update(held)).isFalse();
            assertThat(files("state")).isEmpty();
        }
    }

    @Test
    void limitsMustBePositive() {
        assertThatThrownBy(() -> new MailQueue.Limits(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MailQueue.Limits(1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new MailQueue.Limits(1, 1).maxBytes()).isEqualTo(1);
    }
}
