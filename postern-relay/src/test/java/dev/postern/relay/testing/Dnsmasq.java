package dev.postern.relay.testing;

import dev.postern.testing.PeerProcess;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * dnsmasq as an authoritative-enough DNS server on a loopback port for the test's own zone: names under
 * {@code test} that it does not know are NXDOMAIN ({@code --local=/test/}), nothing is forwarded.
 */
public final class Dnsmasq implements AutoCloseable {

    public static final String PROGRAM = "/usr/sbin/dnsmasq";

    private final PeerProcess peer;
    private final int port;

    private Dnsmasq(PeerProcess peer, int port) {
        this.peer = peer;
        this.port = port;
    }

    /**
     * @param records dnsmasq options such as {@code --mx-host=example.test,mx1.example.test,10},
     *                {@code --host-record=mx1.example.test,127.0.0.2}, {@code --dns-rr=...}
     */
    public static Dnsmasq start(Path dir, int port, String... records) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(PROGRAM, "--no-daemon", "--conf-file=/dev/null", "--port=" + port,
                "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts", "--pid-file=",
                "--user=root", "--local=/test/", "--log-queries"));
        command.addAll(List.of(records));
        return new Dnsmasq(PeerProcess.start("dnsmasq", dir, command, port), port);
    }

    public InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    @Override
    public void close() {
        peer.close();
    }
}
