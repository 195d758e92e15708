package dev.postern.proxy.internal;

import dev.postern.Listener;
import dev.postern.SmtpServerConfig;
import dev.postern.proxy.ProxyProtocolMode;
import dev.postern.proxy.TrustedSources;
import io.netty.buffer.ByteBuf;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The PROXY protocol policy, in one place: who may send a header, what a header-like input from anyone
 * else means, and which settings deserve a warning. The transport asks it when a connection arrives;
 * the protocol asks it about the first bytes of a session that was not expecting a header.
 * {@link ProxyHeaderValidator} owns the checks of a header's bytes.
 */
public final class ProxyPolicy {

    /** HAProxy spec 2.2: the twelve bytes every v2 header starts with. */
    static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    private ProxyPolicy() {
    }

    /**
     * The trust decision: the mode in which a connection from {@code peer} (the TCP peer) on
     * {@code listener} must send a PROXY header, or null when no header is expected from it and
     * everything it sends is SMTP (a PROXY line from it is then refused, see {@link #isLateHeaderLine}).
     */
    public static ProxyProtocolMode expectedHeader(Listener listener, InetAddress peer) {
        if (listener == null || listener.proxyProtocol() == ProxyProtocolMode.OFF
                || !listener.trustedProxies().matches(peer)) {
            return null;
        }
        return listener.proxyProtocol();
    }

    /**
     * Whether the first bytes of a session that expected no header are a v2 header: a source not trusted
     * to send one is trying to claim another identity, so the connection is refused.
     */
    public static boolean startsWithV2Signature(ByteBuf in) {
        if (in.readableBytes() < V2_SIGNATURE.length) {
            return false;
        }
        for (int i = 0; i < V2_SIGNATURE.length; i++) {
            if (in.getByte(in.readerIndex() + i) != V2_SIGNATURE[i]) {
                return false;
            }
        }
        return true;
    }

    /** A {@code PROXY} command inside an SMTP session: only one header per connection, and only before the greeting. */
    public static boolean isLateHeaderLine(String verb) {
        return verb.equals("PROXY");
    }

    /** The log line for a v2 header from a source not trusted to send one. */
    public static String untrustedV2HeaderMessage(Object peer) {
        return "PROXY v2 header from untrusted " + peer + " refused (spoofing attempt?)";
    }

    /** The log line for a PROXY line inside a session. */
    public static String lateHeaderLineMessage(Object peer) {
        return "PROXY line inside the session refused (spoofing attempt?) from " + peer;
    }

    /** Settings that let any client claim any identity: one warning line each, logged at start. */
    public static List<String> warnings(SmtpServerConfig config) {
        List<String> out = new ArrayList<>(2);
        for (Listener listener : config.listeners()) {
            if (listener.trustedProxies().isWildcard() && listener.proxyProtocol() != ProxyProtocolMode.OFF) {
                out.add("listener " + listener + " trusts PROXY headers from ANY source: any client can claim"
                        + " any address; list your proxies instead of '*'");
            }
        }
        warnIfEveryone(out, "xclientHosts", config.xclientHosts());
        warnIfEveryone(out, "xforwardHosts", config.xforwardHosts());
        return out;
    }

    private static void warnIfEveryone(List<String> out, String setting, TrustedSources hosts) {
        if (hosts.isWildcard()) {
            out.add(setting + " is '*': any client may claim any identity");
        }
    }
}
