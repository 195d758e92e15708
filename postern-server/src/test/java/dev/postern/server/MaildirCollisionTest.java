package dev.postern.server;

import dev.postern.relay.queue.Fsync;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A Maildir name that is already taken, as when two replicas share the directory and draw the same names: forced
 * here with name generators that repeat each other exactly. Nothing is ever overwritten; the delivery takes the
 * next name, and fails with 451 only when {@link MaildirStore#NAME_ATTEMPTS} names in a row are taken.
 */
class MaildirCollisionTest {

    private static final Clock FROZEN = Clock.fixed(Instant.parse("2026-01-01T00:00:00.000001Z"), ZoneOffset.UTC);

    @TempDir
    Path root;

    /** Every generator made here yields the same names, Q1, Q2, ...: the names of a replica's twin. */
    private static MaildirNames twin() {
        return new MaildirNames("mx.test", FROZEN, 1, 42);
    }

    private MaildirStore store() throws IOException {
        return MaildirStore.open(root, twin(), Fsync.REAL);
    }

    private static byte[] content(String text) {
        return ("Subject: " + text + "\r\n\r\n" + text + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private List<String> names(String sub) throws IOException {
        try (Stream<Path> s = Files.list(root.resolve(sub))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** The first {@code n} names a twin generator yields. */
    private static List<String> firstNames(int n) {
        MaildirNames names = twin();
        return Stream.generate(names::next).limit(n).toList();
    }

    @Test
    void aReplicaDeliveringUnderANameAlreadyInNewTakesTheNextAndLeavesTheOtherIntact() throws IOException {
        MaildirStore replicaA = store();
        MaildirStore replicaB = store();
        Path a = replicaA.deliver(FakeMessage.of(content("from A")));
        Path b = replicaB.deliver(FakeMessage.of(content("from B")));

        List<String> expected = firstNames(2);
        assertThat(a.getFileName()).hasToString(expected.get(0));
        assertThat(b.getFileName()).hasToString(expected.get(1));
        assertThat(Files.readAllBytes(a)).isEqualTo(content("from A"));
        assertThat(Files.readAllBytes(b)).isEqualTo(content("from B"));
        assertThat(names("new")).containsExactlyElementsOf(expected);
        assertThat(names("tmp")).isEmpty();
    }

    @Test
    void aNameTakenInTmpIsNotTouchedAndTheDeliveryTakesTheNext() throws IOException {
        MaildirStore store = store();
        List<String> expected = firstNames(2);
        Path othersInTmp = Files.writeString(root.resolve("tmp").resolve(expected.get(0)), "another writer's message");
        Path stored = store.deliver(FakeMessage.of(content("mine")));

        assertThat(othersInTmp).hasContent("another writer's message");
        assertThat(stored.getFileName()).hasToString(expected.get(1));
        assertThat(Files.readAllBytes(stored)).isEqualTo(content("mine"));
        assertThat(names("tmp")).containsExactly(expected.get(0));
    }

    @Test
    void theLastAllowedNameIsStillTried() throws IOException {
        MaildirStore store = store();
        List<String> names = firstNames(MaildirStore.NAME_ATTEMPTS);
        for (String taken : names.subList(0, MaildirStore.NAME_ATTEMPTS - 1)) {
            Files.writeString(root.resolve("new").resolve(taken), "taken " + taken);
        }
        Path stored = store.deliver(FakeMessage.of(content("last chance")));
        assertThat(stored.getFileName()).hasToString(names.get(MaildirStore.NAME_ATTEMPTS - 1));
        for (String taken : names.subList(0, MaildirStore.NAME_ATTEMPTS - 1)) {
            assertThat(root.resolve("new").resolve(taken)).hasContent("taken " + taken);
        }
    }

    @Test
    void namesTakenInNewTooOftenGive451AndReplaceNothing() throws IOException {
        MaildirStore store = store();
        List<String> names = firstNames(MaildirStore.NAME_ATTEMPTS);
        for (String taken : names) {
            Files.writeString(root.resolve("new").resolve(taken), "taken " + taken);
        }
        MaildirStore.DeliveryFailed failed = catchThrowableOfType(MaildirStore.DeliveryFailed.class,
                () -> store.deliver(FakeMessage.of(content("unlucky"))));
        assertThat(failed.reply().code()).isEqualTo(451);
        assertThat(failed.detail()).contains("FileAlreadyExistsException").doesNotContain("cannot remove");
        for (String taken : names) {
            assertThat(root.resolve("new").resolve(taken)).hasContent("taken " + taken);
        }
        assertThat(names("tmp")).isEmpty();
    }

    @Test
    void namesTakenInTmpTooOftenGive451AndReplaceNothing() throws IOException {
        MaildirStore store = store();
        List<String> names = firstNames(MaildirStore.NAME_ATTEMPTS);
        for (String taken : names) {
            Files.writeString(root.resolve("tmp").resolve(taken), "taken " + taken);
        }
        MaildirStore.DeliveryFailed failed = catchThrowableOfType(MaildirStore.DeliveryFailed.class,
                () -> store.deliver(FakeMessage.of(content("unlucky"))));
        assertThat(failed.reply().code()).isEqualTo(451);
        for (String taken : names) {
            assertThat(root.resolve("tmp").resolve(taken)).hasContent("taken " + taken);
        }
        assertThat(names("new")).isEmpty();
    }

    /** A failed directory flush takes the message back out of new/; what cannot be removed is named, once. */
    @Test
    void aLinkInNewThatCannotBeRemovedAfterAFailedFlushIsNamedInTheDetail() throws IOException {
        MaildirStore store = MaildirStore.open(root, twin(), new Fsync() {
            @Override
            public void file(FileChannel channel) throws IOException {
                Fsync.REAL.file(channel);
            }

            @Override
            public void directory(Path dir) throws IOException {
                // the message in new/ is replaced by a directory that deleteIfExists cannot remove
                Path linked = dir.resolve(firstNames(1).get(0));
                Files.delete(linked);
                Files.createDirectories(linked.resolve("busy"));
                throw new IOException("EIO on directory fsync");
            }
        });
        MaildirStore.DeliveryFailed failed = catchThrowableOfType(MaildirStore.DeliveryFailed.class,
                () -> store.deliver(FakeMessage.of(content("x"))));
        assertThat(failed.detail()).contains("EIO on directory fsync")
                .endsWith("; cannot remove " + root.resolve("new").resolve(firstNames(1).get(0))
                        + " after the failed delivery: java.nio.file.DirectoryNotEmptyException: "
                        + root.resolve("new").resolve(firstNames(1).get(0)))
                .doesNotContain("null");
        assertThat(names("tmp")).isEmpty();
    }
}
