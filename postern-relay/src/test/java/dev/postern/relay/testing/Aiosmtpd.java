package dev.postern.relay.testing;

import dev.postern.testing.PeerProcess;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An aiosmtpd server ({@code smtpd_peer.py}, from the test resources) whose recipients choose their reply
 * by local part ({@code reject*} 550, {@code defer*} 450, {@code later*} 451 then 250), optionally with
 * STARTTLS, AUTH and SIZE. Its event log says what arrived and on which client connection.
 */
public final class Aiosmtpd implements AutoCloseable {

    /** Debian's interpreter, which has python3-aiosmtpd (a pyenv python on PATH may not). */
    public static final String PYTHON = "/usr/bin/python3";

    /** One logged event: its kind and fields. */
    public record Event(String kind, Map<String, String> fields) {
        public String get(String key) {
            return fields.get(key);
        }

        /** The message octets of a {@code message} event. */
        public String data() {
            return new String(Base64.getDecoder().decode(fields.get("data")), StandardCharsets.UTF_8);
        }
    }

    private final PeerProcess peer;
    private final Path log;

    private Aiosmtpd(PeerProcess peer, Path log) {
        this.peer = peer;
        this.log = log;
    }

    /**
     * @param options extra script options: {@code --cert F --key F}, {@code --auth user:pass}, {@code --size N},
     *                {@code --data-reply "554 ..."}
     */
    public static Aiosmtpd start(Path dir, int port, String... options) throws IOException, InterruptedException {
        Path script = dir.resolve("smtpd_peer.py");
        try (InputStream in = Aiosmtpd.class.getResourceAsStream("/peers/smtpd_peer.py")) {
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        Path log = dir.resolve("aiosmtpd-" + port + ".log");
        Files.writeString(log, "");
        List<String> command = new ArrayList<>(List.of(PYTHON, script.toString(), "--port", String.valueOf(port), "--log", log.toString()));
        command.addAll(List.of(options));
        return new Aiosmtpd(PeerProcess.start("aiosmtpd", dir, command, port), log);
    }

    /** Every event so far. */
    public List<Event> events() throws IOException {
        List<Event> events = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            String[] items = line.split(" ");
            Map<String, String> fields = new LinkedHashMap<>();
            for (int i = 1; i < items.length; i++) {
                int eq = items[i].indexOf('=');
                fields.put(items[i].substring(0, eq), items[i].substring(eq + 1));
            }
            events.add(new Event(items[0], fields));
        }
        return events;
    }

    /** The {@code message} events. */
    public List<Event> messages() throws IOException {
        return events().stream().filter(e -> e.kind().equals("message")).toList();
    }

    @Override
    public void close() {
        peer.close();
    }
}
