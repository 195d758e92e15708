package dev.postern.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThatCode;

/** Waiting for a peer to listen: on its own address, not on another peer's with the same port. */
class PeerProcessTest {

    @Test
    void aPeerOnAnotherLoopbackAddressWithTheSamePortIsWaitedFor(@TempDir Path dir) throws Exception {
        try (ServerSocket other = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            int port = other.getLocalPort();
            // listens on 127.0.0.3 half a second after it starts, while 127.0.0.1 has listened on that port all along
            List<String> command = List.of("/bin/sh", "-c", "sleep 0.5; exec " + "/usr/sbin/smtp-sink -u nobody 127.0.0.3:" + port + " 10");
            try (PeerProcess late = PeerProcess.start("late-sink", dir, command, "127.0.0.3", port)) {
                assertThatCode(() -> {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress("127.0.0.3", port), 2000);
                    }
                }).as("listening when start() returns").doesNotThrowAnyException();
            }
        }
    }
}
