package dev.postern.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** What tests read back from a Maildir. */
final class MaildirContents {

    private MaildirContents() {
    }

    /** The messages in {@code maildir}/new, as text, in file-name order. */
    static List<String> delivered(Path maildir) throws IOException {
        List<String> messages = new ArrayList<>();
        try (Stream<Path> files = Files.list(maildir.resolve("new"))) {
            for (Path file : files.sorted().toList()) {
                messages.add(Files.readString(file, StandardCharsets.UTF_8));
            }
        }
        return messages;
    }
}
