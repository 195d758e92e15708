package dev.postern.relay.testing;

import dev.postern.testing.PeerProcess;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Postfix's smtp-sink (SMTP, or LMTP with {@code -L}) dumping each transaction to a file ({@code -d}):
 * the dump starts with X-Mail-Args and X-Rcpt-Args headers, then the message as received.
 */
public final class SmtpSink implements AutoCloseable {

    public static final String PROGRAM = "/usr/sbin/smtp-sink";

    private final PeerProcess peer;
    private final Path dumps;

    private SmtpSink(PeerProcess peer, Path dumps) {
        this.peer = peer;
        this.dumps = dumps;
    }

    /**
     * @param dir     the test's directory
     * @param address the loopback address to listen on
     * @param options extra smtp-sink options (e.g. {@code -L}, {@code -r}, {@code -f})
     */
    public static SmtpSink start(Path dir, String address, int port, String... options) throws IOException, InterruptedException {
        Path dumps = Files.createDirectories(dir.resolve("sink-" + address + "-" + port));
        // smtp-sink drops to the -u user before it writes dumps: it must reach and write the directory.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        Files.setPosixFilePermissions(dumps, PosixFilePermissions.fromString("rwxrwxrwx"));
        List<String> command = new ArrayList<>(List.of(PROGRAM, "-u", "nobody", "-d", dumps + "/%H%M%S."));
        command.addAll(List.of(options));
        command.addAll(List.of(address + ":" + port, "16"));
        return new SmtpSink(PeerProcess.start("smtp-sink", dir, command, address, port), dumps);
    }

    public PeerProcess peer() {
        return peer;
    }

    /** The dumped transactions, oldest first. */
    public List<String> dumps() throws IOException {
        try (Stream<Path> files = Files.list(dumps)) {
            List<String> out = new ArrayList<>();
            for (Path p : files.sorted().toList()) {
                out.add(Files.readString(p, StandardCharsets.ISO_8859_1));
            }
            return out;
        }
    }

    @Override
    public void close() {
        peer.close();
    }
}
