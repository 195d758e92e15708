package dev.postern.relay.queue;

import dev.postern.BodyType;
import dev.postern.Envelope;
import dev.postern.ForwardPath;
import dev.postern.HeaderField;
import dev.postern.MailParameters;
import dev.postern.Mailbox;
import dev.postern.ReceivedMessage;
import dev.postern.Recipient;
import dev.postern.ReversePath;
import dev.postern.relay.OutboundRecipient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MailQueueTest {

    @TempDir
    Path dir;

    private QueueFixture fx;

    private QueueFixture fixture() {
        fx = new QueueFixture(dir);
        return fx;
    }

    @AfterEach
    void close() throws IOException {
        if (fx != null) {
            fx.close();
        }
    }

    private List<String> files(String sub) throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve(sub))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void enqueueWritesContentAndStateAndNothingInTmp() throws IOException {
        MailQueue queue = fixture().open();
        String id = fx.enqueue("alice@example.org", "bob@example.net", "carol@example.com");
        assertThat(files("content")).containsExactly(id);
        assertThat(files("state")).containsExactly(id);
        assertThat(files("tmp")).isEmpty();
        assertThat(Files.readAllBytes(dir.resolve("content").resolve(id))).isEqualTo(QueueFixture.CONTENT);
        QueuedMessage m = queue.message(id).orElseThrow();
        assertThat(m.sender()).isEqualTo("alice@example.org");
        assertThat(m.size()).isEqualTo(QueueFixture.CONTENT.length);
        assertThat(m.arrival()).isEqualTo(ManualClock.START);
        assertThat(m.recipients()).extracting(RecipientState::address).containsExactly("bob@example.net", "carol@example.com");
        assertThat(m.recipients()).allSatisfy(r -> {
            assertThat(r.status()).isEqualTo(RecipientState.Status.PENDING);
            assertThat(r.nextAttempt()).isEqualTo(ManualClock.START);
        });
        assertThat(StateCodec.decode(Files.readAllBytes(dir.resolve("state").resolve(id)))).isEqualTo(m);
    }

    @Test
    void largeBinaryContentIsKeptIntact() throws IOException {
        fixture().open();
        byte[] big = new byte[3 * 1024 * 1024 + 11];
        new Random(7).nextBytes(big);
        String id = fx.enqueue(QueueEnvelope.of("a@example.org", List.of("b@example.net")), big);
        try (InputStream in = fx.queue.content(id).open()) {
            assertThat(in.readAllBytes()).isEqualTo(big);
        }
    }

    @Test
    void flushesContentThenItsDirectoryThenStateThenItsDirectory() throws IOException {
        List<String> events = new ArrayList<>();
        fixture().fsync = new Fsync() {
            @Override
            public void file(FileChannel channel) throws IOException {
                events.add("file " + channel.size() + " octets; content/ " + files("content").size() + ", state/ " + files("state").size());
                Fsync.REAL.file(channel);
            }

            @Override
            public void directory(Path d) throws IOException {
                events.add("directory " + dir.relativize(d) + "; content/ " + files("content").size() + ", state/ " + files("state").size());
                Fsync.REAL.directory(d);
            }
        };
        fx.open();
        String id = fx.enqueue("alice@example.org", "bob@example.net");
        int stateSize = StateCodec.encode(fx.message(id)).length;
        assertThat(events).containsExactly(
                "file " + QueueFixture.CONTENT.length + " octets; content/ 0, state/ 0",
                "directory content; content/ 1, state/ 0",
                "file " + stateSize + " octets; content/ 1, state/ 0",
                "directory state; content/ 1, state/ 1");
    }

    @Test
    void messageIsLoadedAfterReopen() throws IOException {
        fixture().open();
        String id = fx.enqueue("alice@example.org", "bob@example.net");
        QueuedMessage before = fx.message(id);
        fx.close();
        fx.open();
        assertThat(fx.queue.messages()).containsExactly(before);
    }

    @Test
    void idsStayUniqueAcrossReopenEvenWithAClockThatStandsStill() throws IOException {
        fixture().open();
        Set<String> ids = new HashSet<>();
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 5; i++) {
                ids.add(fx.enqueue("a@example.org", "b@example.net"));
            }
            fx.close();
            fx.open();
        }
        assertThat(ids).hasSize(15);
        assertThat(fx.queue.messages()).hasSize(15);
        assertThat(ids).allMatch(QueueIds::isValid);
    }

    @Test
    void leftoversOfACrashAreRemovedAtLoad() throws IOException {
        fixture().open();
        String kept = fx.enqueue("alice@example.org", "bob@example.net");
        fx.close();
        // A crash while writing content: a file in tmp/. A crash between the content's rename and the state's: content alone.
        Files.write(dir.resolve("tmp").resolve("1a-2b-3c.content"), new byte[] {1, 2, 3});
        Files.write(dir.resolve("tmp").resolve(kept + ".123.state"), "postern-queue 1\nid ".getBytes());
        Files.write(dir.resolve("content").resolve("1a-2b-3d"), QueueFixture.CONTENT);
        fx.open();
        assertThat(fx.queue.messages()).extracting(QueuedMessage::id).containsExactly(kept);
        assertThat(files("tmp")).isEmpty();
        assertThat(files("content")).containsExactly(kept);
    }

    @Test
    void aStateWriteCutShortBeforeItsRenameLeavesTheOldState() throws IOException {
        fixture().open();
        String id = fx.enqueue("alice@example.org", "bob@example.net");
        QueuedMessage old = fx.message(id);
        fx.close();
        // The new state was being written in tmp/ when the process died: state/ still has the old one, whole.
        byte[] newer = StateCodec.encode(old.map(r -> true, r -> r.withHeld(true)));
        Files.write(dir.resolve("tmp").resolve(id + ".999.state"), java.util.Arrays.copyOf(newer, newer.length / 2));
        fx.open();
        assertThat(fx.queue.messages()).containsExactly(old);
    }

    @Test
    void unreadableStateIsMovedAsideWithItsContentAndTheRestLoads() throws IOException {
        fixture().open();
        String good = fx.enqueue("alice@example.org", "bob@example.net");
        String bad = fx.enqueue("alice@example.org", "carol@example.net");
        fx.close();
        Files.writeString(dir.resolve("state").resolve(bad), "postern-queue 1\nid " + bad + "\n");
        fx.open();
        assertThat(fx.queue.messages()).extracting(QueuedMessage::id).containsExactly(good);
        assertThat(files("corrupt")).containsExactly(bad + ".content", bad + ".state");
        assertThat(fx.queue.hasRoomFor(0)).isTrue();
    }

    @Test
    void stateWhoseContentIsMissingOrShortIsMovedAside() throws IOException {
        fixture().open();
        String missing = fx.enqueue("alice@example.org", "bob@example.net");
        String shortened = fx.enqueue("alice@example.org", "bob@example.net");
        fx.close();
        Files.delete(dir.resolve("content").resolve(missing));
        Files.write(dir.resolve("content").resolve(shortened), new byte[] {'x'});
        fx.open();
        assertThat(fx.queue.messages()).isEmpty();
        assertThat(files("corrupt")).containsExactly(missing + ".state", shortened + ".content", shortened + ".state");
    }

    @Test
    void streamFailingHalfwayLeavesNothing() throws IOException {
        fixture().open();
        InputStream failing = new FilterInputStream(new ByteArrayInputStream(QueueFixture.CONTENT, 0, 20)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n < 0) {
                    throw new IOException("client went away");
                }
                return n;
            }
        };
        assertThatThrownBy(() -> fx.queue.enqueue(QueueEnvelope.of("a@example.org", List.of("b@example.net")), failing))
                .hasMessage("client went away");
        assertThat(files("tmp")).isEmpty();
        assertThat(files("content")).isEmpty();
        assertThat(files("state")).isEmpty();
        assertThat(fx.queue.messages()).isEmpty();
        fx.enqueue("a@example.org", "b@example.net");
        assertThat(fx.queue.messages()).hasSize(1);
    }

    @Test
    void failingFlushesLeaveNothing() throws IOException {
        for (String failing : List.of("file", "directory content", "directory state")) {
            Path sub = Files.createDirectories(dir.resolve(failing.replace(' ', '-')));
            try (MailQueue queue = MailQueue.open(sub, MailQueue.Limits.DEFAULT, new Fsync() {
                @Override
                public void file(FileChannel channel) throws IOException {
                    if (failing.equals("file")) {
                        throw new IOException("EIO");
                    }
                }

                @Override
                public void directory(Path d) throws IOException {
                    if (failing.equals("directory " + d.getFileName())) {
                        throw new IOException("EIO");
                    }
                }
            }, new ManualClock())) {
                assertThatThrownBy(() -> queue.enqueue(QueueEnvelope.of("a@example.org", List.of("b@example.net")),
                        new ByteArrayInputStream(QueueFixture.CONTENT))).as(failing).hasMessage("EIO");
                assertThat(queue.messages()).isEmpty();
                for (String d : List.of("tmp", "content", "state")) {
                    try (Stream<Path> s = Files.list(sub.resolve(d))) {
                        assertThat(s).as(failing + ": " + d).isEmpty();
                    }
                }
                assertThat(queue.hasRoomFor(MailQueue.Limits.DEFAULT.maxBytes())).isTrue();
            }
        }
    }

    @Test
    void fullByMessagesRefusesWith452() throws IOException {
        fixture().limits = new MailQueue.Limits(2, 1 << 20);
        fx.open();
        fx.enqueue("a@example.org", "b@example.net");
        fx.enqueue("a@example.org", "b@example.net");
        assertThat(fx.queue.hasRoomFor(0)).isFalse();
        assertThatThrownBy(() -> fx.enqueue("a@example.org", "b@example.net"))
                .isInstanceOfSatisfying(QueueFullException.class, e -> {
                    assertThat(e.reply().code()).isEqualTo(452);
                    assertThat(e.reply().status()).hasToString("4.3.1");
                });
        assertThat(fx.queue.messages()).hasSize(2);
    }

    @Test
    void fullByOctetsRefusesAStreamAsSoonAsItOverflowsAndLeavesNothing() throws IOException {
        fixture().limits = new MailQueue.Limits(100, QueueFixture.CONTENT.length * 2L + 10);
        fx.open();
        fx.enqueue("a@example.org", "b@example.net");
        assertThat(fx.queue.hasRoomFor(QueueFixture.CONTENT.length)).isTrue();
        assertThat(fx.queue.hasRoomFor(QueueFixture.CONTENT.length + 11)).isFalse();
        byte[] big = new byte[1 << 20];
        assertThatThrownBy(() -> fx.enqueue(QueueEnvelope.of("a@example.org", List.of("b@example.net")), big))
                .isInstanceOf(QueueFullException.class);
        assertThat(files("tmp")).isEmpty();
        assertThat(files("content")).hasSize(1);
        fx.enqueue("a@example.org", "b@example.net");
    }

    @Test
    void removingAMessageGivesItsRoomBack() throws IOException {
        fixture().limits = new MailQueue.Limits(1, 1 << 20);
        fx.open();
        String id = fx.enqueue("a@example.org", "b@example.net");
        assertThat(fx.queue.hasRoomFor(0)).isFalse();
        assertThat(fx.queue.remove(id)).isTrue();
        assertThat(files("state")).isEmpty();
        assertThat(files("content")).isEmpty();
        assertThat(fx.queue.hasRoomFor(0)).isTrue();
        assertThat(fx.queue.remove(id)).isFalse();
    }

    @Test
    void enqueueOfAReceivedMessageKeepsTheDsnParameters() throws IOException {
        fixture().open();
        Envelope envelope = new Envelope(ReversePath.of(new Mailbox("alice", "example.org")),
                new MailParameters(Map.of("RET", "hdrs", "ENVID", "QQ314159", "BODY", "8BITMIME")),
                List.of(new Recipient(ForwardPath.of(new Mailbox("bob", "example.net")),
                                new MailParameters(Map.of("NOTIFY", "SUCCESS,FAILURE", "ORCPT", "rfc822;bob@example.net"))),
                        new Recipient(ForwardPath.of(new Mailbox("carol", "example.net")), MailParameters.NONE)),
                BodyType.EIGHT_BIT_MIME, true, 0);
        String id = fx.queue.enqueue(envelope, received(envelope));
        QueuedMessage m = fx.message(id);
        assertThat(m.ret()).isEqualTo(DsnReturn.HDRS);
        assertThat(m.envid()).isEqualTo("QQ314159");
        assertThat(m.bodyType()).isEqualTo(BodyType.EIGHT_BIT_MIME);
        assertThat(m.smtpUtf8()).isTrue();
        assertThat(m.recipients()).extracting(RecipientState::outbound).containsExactly(
                new OutboundRecipient("bob@example.net", "SUCCESS,FAILURE", "rfc822;bob@example.net"),
                OutboundRecipient.of("carol@example.net"));
        fx.close();
        fx.open();
        assertThat(fx.message(id)).isEqualTo(m);
    }

    @Test
    void enqueueOfAReceivedMessageTooLargeIsRefusedBeforeReadingIt() throws IOException {
        fixture().limits = new MailQueue.Limits(10, 100);
        fx.open();
        Envelope envelope = new Envelope(ReversePath.NULL, MailParameters.NONE,
                List.of(new Recipient(ForwardPath.of(new Mailbox("bob", "example.net")), MailParameters.NONE)),
                BodyType.UNSPECIFIED, false, 0);
        ReceivedMessage message = received(envelope);
        assertThatThrownBy(() -> fx.queue.enqueue(envelope, new ReceivedMessage() {
            public String id() { return message.id(); }
            public Envelope envelope() { return envelope; }
            public Instant receivedAt() { return message.receivedAt(); }
            public long size() { return 1000; }
            public List<HeaderField> headers() { return List.of(); }
            public InputStream openStream() { throw new AssertionError("read although it cannot fit"); }
        })).isInstanceOf(QueueFullException.class);
    }

    @Test
    void closedQueueRefusesToEnqueue() throws IOException {
        fixture().open();
        fx.queue.close();
        assertThatThrownBy(() -> fx.queue.enqueue(QueueEnvelope.of("a@example.org", List.of("b@example.net")),
                new ByteArrayInputStream(QueueFixture.CONTENT))).isInstanceOf(IOException.class).hasMessageContaining("closed");
        fx.queue = null;
    }

    private static ReceivedMessage received(Envelope envelope) {
        return new ReceivedMessage() {
            public String id() { return "S1.1"; }
            public Envelope envelope() { return envelope; }
            public Instant receivedAt() { return ManualClock.START; }
            public long size() { return QueueFixture.CONTENT.length; }
            public List<HeaderField> headers() { return List.of(); }
            public InputStream openStream() { return new ByteArrayInputStream(QueueFixture.CONTENT); }
        };
    }
}
