package dev.postern.relay.client.protocol;

import dev.postern.relay.RemoteReply;
import dev.postern.relay.client.TlsMode;

import java.util.List;
import java.util.Locale;

/**
 * Opens an SMTP or LMTP session on a fresh connection: the greeting, EHLO (HELO when EHLO is refused) or
 * LHLO, STARTTLS and EHLO again, then AUTH. Any refusal is a {@link HostFailure}: the next host may do better.
 */
public final class SessionOpener {

    private final SmtpWire wire;
    private final SessionSettings settings;
    private final Deadline deadline;

    private SessionOpener(SmtpWire wire, SessionSettings settings, Deadline deadline) {
        this.wire = wire;
        this.settings = settings;
        this.deadline = deadline;
    }

    /**
     * Runs the opening.
     *
     * @param wire     a connection whose greeting has not been read yet
     * @param settings helo name, protocol, TLS mode, credentials, timeouts
     * @param deadline the transaction's end
     * @return the extensions of the final EHLO or LHLO (none after HELO)
     * @throws HostFailure when the host refuses or cannot meet the TLS or AUTH requirement
     * @throws WireException when the connection fails
     */
    public static Capabilities open(SmtpWire wire, SessionSettings settings, Deadline deadline)
            throws HostFailure, WireException {
        return new SessionOpener(wire, settings, deadline).run();
    }

    private Capabilities run() throws HostFailure, WireException {
        // RFC 5321 3.1: a 554 greeting (or anything but 220) means no service here.
        Reply greeting = wire.read(deadline.cap(settings.timeouts().greeting()), "the greeting");
        if (greeting.code() != 220) {
            throw new HostFailure(greeting.toRemote());
        }
        Capabilities caps = hello();
        if (settings.tls() != TlsMode.NONE && !wire.secure()) {
            caps = startTls(caps);
        }
        if (settings.authUser() != null) {
            AuthExchange.authenticate(wire, caps, settings.authUser(), settings.authPassword(),
                    deadline.cap(settings.timeouts().command()));
        }
        return caps;
    }

    private Capabilities hello() throws HostFailure, WireException {
        if (settings.lmtp()) {
            // RFC 2033 4.1: LHLO instead of EHLO; there is no HELO to fall back to.
            Reply lhlo = command("LHLO " + settings.helo());
            if (!lhlo.positive()) {
                throw new HostFailure(lhlo.toRemote());
            }
            return Capabilities.of(lhlo);
        }
        Reply ehlo = command("EHLO " + settings.helo());
        if (ehlo.positive()) {
            return Capabilities.of(ehlo);
        }
        // RFC 5321 4.1.1.1 and 3.2: a server that does not know EHLO answers 5yz; fall back to HELO.
        if (!ehlo.permanentFailure()) {
            throw new HostFailure(ehlo.toRemote());
        }
        Reply helo = command("HELO " + settings.helo());
        if (!helo.positive()) {
            throw new HostFailure(helo.toRemote());
        }
        return Capabilities.NONE;
    }

    private Capabilities startTls(Capabilities caps) throws HostFailure, WireException {
        if (!caps.startTls()) {
            if (settings.tls().required()) {
                throw new HostFailure(RemoteReply.none("the server does not offer STARTTLS, and TLS is required ("
                        + settings.tls().name().toLowerCase(Locale.ROOT) + ")"));
            }
            return caps;
        }
        Reply reply = command("STARTTLS");
        if (reply.code() != 220) {
            if (settings.tls().required()) {
                throw new HostFailure(reply.toRemote());
            }
            return caps; // RFC 3207 4: 454 TLS not available; opportunistic delivery goes on in clear
        }
        wire.startTls(deadline.cap(settings.timeouts().command()));
        // RFC 3207 4.2: the client MUST discard what it knew from the server and issue EHLO again.
        return hello();
    }

    private Reply command(String line) throws WireException {
        wire.send(List.of(line));
        return wire.read(deadline.cap(settings.timeouts().command()), "the reply to " + verb(line));
    }

    private static String verb(String line) {
        int sp = line.indexOf(' ');
        return sp < 0 ? line : line.substring(0, sp);
    }
}
