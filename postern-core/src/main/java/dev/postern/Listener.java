package dev.postern;

import java.util.Objects;

/**
 * One address the server listens on. {@code host} is an IP literal, a name, {@code "*"} (every
 * interface, IPv4 and IPv6) or {@code "localhost"} (both 127.0.0.1 and ::1). Port 0 asks the OS for a
 * free port (see {@link SmtpServer#boundAddresses()}).
 */
public record Listener(String host, int port) {

    public Listener {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("listener host must not be blank");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("listener port out of range: " + port);
        }
    }

    public static Listener of(String host, int port) {
        return new Listener(host, port);
    }

    /** Parses {@code HOST:PORT}, {@code [IPv6]:PORT}, {@code *:PORT} or {@code :PORT} (every interface). */
    public static Listener parse(String text) {
        Objects.requireNonNull(text, "text");
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("listen address must be HOST:PORT: " + text);
        }
        String host = text.substring(0, colon);
        String portText = text.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new IllegalArgumentException("write IPv6 listen addresses as [ADDR]:PORT: " + text);
        }
        if (host.isEmpty()) {
            host = "*";
        }
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in listen address: " + text, e);
        }
        return new Listener(host, port);
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
