package dev.postern.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real third-party peer (HAProxy, nginx, smtp-sink, aiosmtpd, danted, dnsmasq, ...) run as a child of the test, in
 * the foreground, on loopback. Its output goes to a file in the test's directory, so a full pipe never stalls it and
 * a failure can quote it. {@link #close} ends exactly this process and what it started (by process id); nothing else
 * is touched. A missing program fails the test: {@code .ci/run} installs every peer.
 */
public final class PeerProcess implements AutoCloseable {

    /** How long {@link #start(String, Path, List, int)} waits for the peer to listen. */
    public static final Duration LISTEN_DEADLINE = Duration.ofSeconds(15);

    private final String name;
    private final Process process;
    private final Path output;

    private PeerProcess(String name, Process process, Path output) {
        this.name = name;
        this.process = process;
        this.output = output;
    }

    /**
     * Starts {@code command} and waits up to {@link #LISTEN_DEADLINE} until it listens on TCP {@code port}.
     *
     * @throws AssertionError when the program is missing, exits early or does not listen in time
     */
    public static PeerProcess start(String name, Path dir, List<String> command, int port) throws IOException, InterruptedException {
        return start(name, dir, command, port, LISTEN_DEADLINE);
    }

    /**
     * Starts {@code command} and waits until it listens on TCP {@code port}, at most {@code deadline}.
     *
     * @throws AssertionError when the program is missing, exits early or does not listen in time
     */
    public static PeerProcess start(String name, Path dir, List<String> command, int port, Duration deadline)
            throws IOException, InterruptedException {
        return start(name, dir, command, null, port, deadline);
    }

    /**
     * Starts {@code command} and waits up to {@link #LISTEN_DEADLINE} until it listens on TCP {@code address}:{@code port}.
     * Name the address when another peer may already listen on the same port on another loopback address:
     * a port alone would match that one.
     *
     * @param address an IPv4 literal (matched exactly, or the wildcard 0.0.0.0), or null for any address
     * @throws AssertionError when the program is missing, exits early or does not listen in time
     */
    public static PeerProcess start(String name, Path dir, List<String> command, String address, int port)
            throws IOException, InterruptedException {
        return start(name, dir, command, address, port, LISTEN_DEADLINE);
    }

    private static PeerProcess start(String name, Path dir, List<String> command, String address, int port, Duration deadline)
            throws IOException, InterruptedException {
        requireProgram(command.get(0));
        Path output = dir.resolve(name + ".out");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        process.getOutputStream().close();
        PeerProcess peer = new PeerProcess(name, process, output);
        try {
            peer.awaitListening(address, port, deadline);
        } catch (RuntimeException | Error | InterruptedException e) {
            peer.close();
            throw e;
        }
        return peer;
    }

    /** Fails the test when a peer program is not installed. */
    public static void requireProgram(String program) {
        if (!Files.isExecutable(Path.of(program))) {
            throw new AssertionError(program + " is not installed: run .ci/run, or apt-get install its package");
        }
    }

    /** Fills {@code ${NAME}} placeholders of a config template and writes it to {@code file}. */
    public static Path writeConfig(Path file, String template, Map<String, Object> values) throws IOException {
        String text = template;
        for (Map.Entry<String, Object> e : values.entrySet()) {
            text = text.replace("${" + e.getKey() + "}", String.valueOf(e.getValue()));
        }
        if (text.contains("${")) {
            throw new IllegalArgumentException("unfilled placeholder in config:\n" + text);
        }
        return Files.writeString(file, text);
    }

    /** A TCP port free on 127.0.0.1 at the time of the call (the OS picks it, then it is released). */
    public static int freePort() throws IOException {
        return freePort("127.0.0.1");
    }

    /** A TCP port free on the given local address at the time of the call. */
    public static int freePort(String address) throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
            return s.getLocalPort();
        }
    }

    public String name() {
        return name;
    }

    /** Everything the peer printed so far. */
    public String output() {
        try {
            return Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(output unreadable: " + e + ")";
        }
    }

    /** Ends the peer abruptly (SIGKILL), as a crashing server would end; {@link #close} still cleans up. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
    }

    /**
     * Ends the peer and every process it started (SIGKILL to each, by process id), as a crash of the whole
     * service would, and waits until they are gone, so their sockets are closed when this returns;
     * {@link #close} still cleans up. A forking server (danted) keeps serving open sessions in its
     * children for a while after its first process alone dies: this ends those at once too.
     *
     * @throws AssertionError when a process is still alive after 5 s
     */
    public void killAll() throws InterruptedException {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            throw new AssertionError(name + " (pid " + process.pid() + ") still runs after SIGKILL");
        }
        for (ProcessHandle child : children) {
            try {
                child.onExit().get(5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new AssertionError(name + "'s child " + child.pid() + " still runs after SIGKILL", e);
            }
        }
    }

    /**
     * Sends {@code signal} ({@code STOP}, {@code CONT}) to the peer and every process it started, by process
     * id, with {@code /bin/kill}: {@code STOP} freezes a service whose sockets stay open (the kernel still
     * completes TCP handshakes on its listening port), as a hung host would.
     */
    public void signalAll(String signal) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("/bin/kill", "-" + signal, String.valueOf(process.pid())));
        process.descendants().forEach(child -> command.add(String.valueOf(child.pid())));
        Process kill = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed: "
                    + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** @return the process id of the peer's own process */
    public long pid() {
        return process.pid();
    }

    /**
     * Polls the kernel's socket tables rather than connecting, so no probe connection reaches the peer (through a
     * proxy it would reach the server under test and show up in its hooks). The port was just found free, so a
     * listening socket on it, on any address, is the peer's.
     */
    private void awaitListening(String address, int port, Duration deadline) throws InterruptedException {
        String portField = String.format(Locale.ROOT, ":%04X", port);
        // /proc/net/tcp writes an IPv4 address as the hex of its four bytes in little-endian order
        java.util.Set<String> ipv4 = address == null || !address.matches("\\d+\\.\\d+\\.\\d+\\.\\d+") ? null
                : java.util.Set.of(procIpv4(address) + portField, "00000000" + portField);
        long end = System.nanoTime() + deadline.toNanos();
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited with " + process.exitValue() + ":\n" + output());
            }
            if (ipv4 != null ? listening(Path.of("/proc/net/tcp"), ipv4::contains)
                    : listening(Path.of("/proc/net/tcp"), a -> a.endsWith(portField))
                            || listening(Path.of("/proc/net/tcp6"), a -> a.endsWith(portField))) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError(name + " did not listen on " + (address == null ? "port " + port : address + ":" + port)
                + " within " + deadline + ":\n" + output());
    }

    private static String procIpv4(String address) {
        String[] b = address.split("\\.");
        return String.format(Locale.ROOT, "%02X%02X%02X%02X", Integer.parseInt(b[3]), Integer.parseInt(b[2]),
                Integer.parseInt(b[1]), Integer.parseInt(b[0]));
    }

    private static boolean listening(Path table, java.util.function.Predicate<String> localAddress) {
        try {
            for (String line : Files.readAllLines(table)) {
                String[] f = line.trim().split("\\s+");
                // sl local_address rem_address st ...; st 0A is LISTEN.
                if (f.length > 3 && localAddress.test(f[1]) && f[3].equals("0A")) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            throw new AssertionError("cannot read " + table + " (these tests need Linux)", e);
        }
    }

    /** Ends the peer (SIGTERM, then SIGKILL after 5 s) and every process it had started. */
    @Override
    public void close() {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle child : children) {
            child.destroyForcibly();
        }
    }
}
