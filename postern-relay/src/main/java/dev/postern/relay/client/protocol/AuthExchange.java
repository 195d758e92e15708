package dev.postern.relay.client.protocol;

import dev.postern.relay.RemoteReply;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * AUTH (RFC 4954) with PLAIN (RFC 4616) or, when the server lacks it, LOGIN. Credentials never go over a
 * connection without TLS: that is refused before anything is sent.
 */
final class AuthExchange {

    private AuthExchange() {
    }

    static void authenticate(SmtpWire wire, Capabilities caps, String user, String password, Duration timeout)
            throws HostFailure, WireException {
        if (!wire.secure()) {
            throw new HostFailure(RemoteReply.none("refusing to send AUTH credentials over a connection without TLS"
                    + " (the server did not offer STARTTLS, or TLS mode is none)"));
        }
        Set<String> mechanisms = caps.authMechanisms();
        Reply reply;
        if (mechanisms.contains("PLAIN")) {
            // RFC 4616 2: [authzid] NUL authcid NUL passwd, sent as RFC 4954 4's initial response.
            reply = exchange(wire, "AUTH PLAIN " + base64("\0" + user + "\0" + password), timeout);
        } else if (mechanisms.contains("LOGIN")) {
            reply = exchange(wire, "AUTH LOGIN", timeout);
            if (reply.code() == 334) {
                reply = exchange(wire, base64(user), timeout);
            }
            if (reply.code() == 334) {
                reply = exchange(wire, base64(password), timeout);
            }
        } else {
            throw new HostFailure(RemoteReply.none("the server offers no AUTH mechanism this client has (PLAIN, LOGIN); it offers "
                    + (mechanisms.isEmpty() ? "none" : String.join(" ", mechanisms))));
        }
        // RFC 4954 6: 235 is success; 535 bad credentials, 534 mechanism too weak, 454 temporary.
        if (reply.code() != 235) {
            throw new HostFailure(reply.toRemote());
        }
    }

    private static Reply exchange(SmtpWire wire, String line, Duration timeout) throws WireException {
        wire.send(List.of(line));
        return wire.read(timeout, "the reply to AUTH");
    }

    private static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
