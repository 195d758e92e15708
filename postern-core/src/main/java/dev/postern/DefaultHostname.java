package dev.postern;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * The server's default name: the machine's name. {@code getCanonicalHostName()} alone gives
 * {@code localhost} on the many machines whose name maps to a loopback address in {@code /etc/hosts}
 * (the reverse lookup of 127.0.0.1 finds {@code localhost} first), so the host name comes first and
 * the canonical name is taken only when it is a better, fully qualified form of it.
 */
final class DefaultHostname {

    private DefaultHostname() {
    }

    static String find() {
        String hostName;
        String canonical;
        try {
            InetAddress local = InetAddress.getLocalHost();
            hostName = local.getHostName();
            canonical = local.getCanonicalHostName();
        } catch (UnknownHostException e) {
            // The name does not resolve; the JDK names it in the message ("name: name: Name or service not known").
            String message = e.getMessage();
            int colon = message == null ? -1 : message.indexOf(':');
            hostName = colon > 0 ? message.substring(0, colon) : null;
            canonical = null;
        }
        return choose(hostName, canonical);
    }

    /**
     * {@code canonical} when it is a fully qualified name that extends {@code hostName} (or replaces a
     * loopback-ish one), else {@code hostName}, else {@code localhost}.
     */
    static String choose(String hostName, String canonical) {
        boolean hostUsable = usable(hostName);
        boolean canonicalUsable = usable(canonical) && canonical.indexOf('.') > 0 && !isAddressLiteral(canonical);
        if (hostUsable && canonicalUsable && hostName.indexOf('.') < 0
                && canonical.toLowerCase(Locale.ROOT).startsWith(hostName.toLowerCase(Locale.ROOT) + ".")) {
            return canonical; // vm -> vm.example.org
        }
        if (hostUsable) {
            return hostName;
        }
        return canonicalUsable ? canonical : "localhost";
    }

    private static boolean usable(String name) {
        return name != null && !name.isBlank() && !SmtpServerConfig.hasSpaceOrControl(name)
                && !name.equalsIgnoreCase("localhost") && !name.toLowerCase(Locale.ROOT).startsWith("localhost.");
    }

    private static boolean isAddressLiteral(String name) {
        return name.indexOf(':') >= 0 || name.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.');
    }
}
