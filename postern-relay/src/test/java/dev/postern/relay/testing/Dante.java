package dev.postern.relay.testing;

import dev.postern.testing.PeerProcess;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Dante's danted, a real SOCKS5 server, on a loopback port: without authentication, or with RFC 1929
 * username/password checked against system users ({@link SystemUser}). Optionally it refuses CONNECT to
 * one destination port by rule, so a proxy can accept the client and still refuse the CONNECT.
 */
public final class Dante implements AutoCloseable {

    public static final String PROGRAM = "/usr/sbin/danted";

    private final PeerProcess peer;

    private Dante(PeerProcess peer) {
        this.peer = peer;
    }

    /**
     * @param method      {@code none} or {@code username}
     * @param blockedPort a destination port whose CONNECT this proxy refuses, or 0
     */
    public static Dante start(Path dir, int port, String method, int blockedPort) throws IOException, InterruptedException {
        Path conf = dir.resolve("danted-" + port + ".conf");
        String block = blockedPort == 0 ? "" : "socks block { from: 0.0.0.0/0 to: 0.0.0.0/0 port = " + blockedPort + " }\n";
        Files.writeString(conf, """
                logoutput: %s
                internal: 127.0.0.1 port = %d
                external: 127.0.0.1
                socksmethod: %s
                clientmethod: none
                user.privileged: root
                user.unprivileged: nobody
                client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }
                %ssocks pass { from: 127.0.0.0/8 to: 127.0.0.0/8 command: connect }
                """.formatted(dir.resolve("danted-" + port + ".log"), port, method, block));
        return new Dante(PeerProcess.start("danted", dir,
                List.of(PROGRAM, "-f", conf.toString(), "-p", dir.resolve("danted-" + port + ".pid").toString(), "-N", "1"), port));
    }

    /** The danted process this test started (its children are found from it). */
    public PeerProcess peer() {
        return peer;
    }

    /**
     * Kills this danted and its children by process id (SIGKILL), as a crashed proxy host: every session it
     * carries ends at once and its port stops listening. {@link #start} on the same port brings it back.
     */
    public void kill() throws InterruptedException {
        peer.killAll();
    }

    /** Freezes this danted and its children (SIGSTOP, by process id): connections stay open, nothing moves. */
    public void freeze() throws IOException, InterruptedException {
        peer.signalAll("STOP");
    }

    /** Lets a frozen danted run again (SIGCONT). */
    public void thaw() throws IOException, InterruptedException {
        peer.signalAll("CONT");
    }

    @Override
    public void close() {
        peer.close();
    }
}
