package dev.postern.proxy.internal;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalInt;

import static dev.postern.testing.FuzzChecks.check;
import static dev.postern.testing.FuzzChecks.show;

/**
 * Fuzzes the attribute lists of XCLIENT and XFORWARD (Postfix's XCLIENT_README and XFORWARD_README,
 * xtext values of RFC 3461 4).
 *
 * <p>Invariants: any text parses or fails with an {@link IllegalArgumentException} whose message is fit for
 * a 501 reply (one printable ASCII line, bounded); what parses names exactly the attributes given; its
 * values, which go into Received fields and log lines, hold no space, control or non-ASCII character and
 * keep the 255-character bound; ports are 0..65535; addresses are numeric (never a name lookup).
 */
class ProxyAttributesFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void attributes(byte[] input) {
        String args = new String(input, StandardCharsets.UTF_8);
        try {
            XclientCommand x = XclientCommand.parse(args);
            check(!x.attributes().isEmpty(), "XCLIENT without attributes accepted");
            text(x.name(), args);
            text(x.helo(), args);
            text(x.login(), args);
            port(x.port());
            port(x.destPort());
            address(x.addr());
            address(x.destAddr());
            check(x.name().isEmpty() || x.attributes().contains(XclientCommand.Attribute.NAME), "NAME without the attribute");
        } catch (IllegalArgumentException e) {
            reason(e, args);
        }
        try {
            XforwardCommand x = XforwardCommand.parse(args);
            check(!x.attributes().isEmpty(), "XFORWARD without attributes accepted");
            text(x.name(), args);
            text(x.helo(), args);
            text(x.ident(), args);
            text(x.addr(), args);
            text(x.proto(), args);
            port(x.port());
            address(x.inetAddress());
        } catch (IllegalArgumentException e) {
            reason(e, args);
        }
    }

    private static void text(Optional<String> value, String args) {
        value.ifPresent(v -> {
            check(!v.isEmpty() && v.length() <= 255, "value of " + v.length() + " characters from " + show(args));
            check(v.chars().allMatch(c -> c > ' ' && c <= '~'), "space, control or non-ASCII character in " + show(v));
        });
    }

    private static void port(OptionalInt port) {
        port.ifPresent(p -> check(p >= 0 && p <= 65535, "port " + p));
    }

    private static void address(Optional<InetAddress> address) {
        address.ifPresent(a -> check(a.getHostAddress() != null, "address without text"));
    }

    private static void reason(IllegalArgumentException e, String args) {
        String m = e.getMessage();
        check(m != null && !m.isEmpty() && m.length() <= 200, "501 text of " + (m == null ? "null" : m.length()) + " characters");
        check(m.chars().allMatch(c -> c >= ' ' && c <= '~'), "501 text with an unprintable character: " + show(m) + " from " + show(args));
    }
}
