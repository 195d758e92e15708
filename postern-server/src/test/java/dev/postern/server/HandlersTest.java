package dev.postern.server;

import dev.postern.HeaderField;
import dev.postern.MessageHeaders;
import dev.postern.SmtpRejection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HandlersTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-03-05T09:07:02Z"), ZoneOffset.UTC);

    @TempDir
    Path root;

    /** Keeps prepended fields, as the library would, to put them in front of the client's content. */
    static final class PrependedFields implements MessageHeaders {
        final List<HeaderField> prepended = new ArrayList<>();

        @Override
        public List<HeaderField> fields() {
            return List.of();
        }

        @Override
        public void prepend(String name, String value) {
            prepended.add(new HeaderField(name, value));
        }

        @Override
        public void append(String name, String value) {
            throw new AssertionError("the handler only prepends");
        }
    }

    @Test
    void receivedFieldIsAddedAtDataStartAndStoredFirstWithTheClientBytesIntact() throws IOException {
        MaildirHandler handler = new MaildirHandler(MaildirStore.open(root, "mx.test"), "mx.test", CLOCK);
        FakeSession session = new FakeSession();
        PrependedFields headers = new PrependedFields();

        handler.onDataStart(session, headers);
        assertThat(headers.prepended).singleElement().satisfies(f -> {
            assertThat(f.name()).isEqualTo("Received");
            assertThat(f.value()).isEqualTo("from client.example (unknown [192.0.2.7]) by mx.test (Postern) with ESMTP id S1;"
                    + " Tue, 5 Mar 2024 09:07:02 +0000");
        });

        byte[] client = "Subject: hi\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (HeaderField f : headers.prepended) {
            content.writeBytes((f + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        content.writeBytes(client);
        handler.onMessage(session, FakeMessage.of(content.toByteArray()));

        try (Stream<Path> files = Files.list(root.resolve("new"))) {
            Path stored = files.findFirst().orElseThrow();
            String text = Files.readString(stored, StandardCharsets.US_ASCII);
            assertThat(text).startsWith("Received: from client.example (unknown [192.0.2.7]) by mx.test (Postern)")
                    .endsWith("\r\nSubject: hi\r\n\r\nbody\r\n");
            assertThat(Files.readAllBytes(stored)).isEqualTo(content.toByteArray());
        }
    }

    @Test
    void storeFailureReachesTheClientAs451() throws IOException {
        MaildirHandler handler = new MaildirHandler(MaildirStore.open(root, "mx.test"), "mx.test", CLOCK);
        byte[] content = "Subject: hi\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> handler.onMessage(new FakeSession(), FakeMessage.failingAfter(content, 4)))
                .isInstanceOfSatisfying(SmtpRejection.class, r -> assertThat(r.reply().code()).isEqualTo(451));
    }

    @Test
    void onlyTheDiscardHandlerRunsOnTheEventLoop() throws IOException {
        assertThat(new DiscardHandler().isNonBlocking()).isTrue();
        assertThat(new MaildirHandler(MaildirStore.open(root, "mx"), "mx", CLOCK).isNonBlocking()).isFalse();
    }

    @Test
    void discardWithAuthChecksPasswordsOffTheEventLoop() {
        AuthenticatingDiscardHandler handler = new AuthenticatingDiscardHandler(AuthSettings.OFF);
        assertThat(handler.isNonBlocking()).as("a hash takes milliseconds of CPU").isFalse();
        assertThatThrownBy(() -> handler.onAuth(new FakeSession(), new dev.postern.auth.Credentials.Password(
                dev.postern.auth.AuthMechanism.PLAIN, null, "alice", "pw")))
                .isInstanceOfSatisfying(SmtpRejection.class, r -> assertThat(r.reply().code()).isEqualTo(535));
    }

    @Test
    void discardHandlerOverridesNoHookSoTheLibraryNeedsNoThreadHop() {
        assertThat(Stream.of(DiscardHandler.class.getDeclaredMethods()).map(m -> m.getName()))
                .containsExactly("isNonBlocking");
    }
}
