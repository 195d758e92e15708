package dev.postern.relay.socks;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.postern.relay.client.SocksProxy;
import io.netty.util.NetUtil;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fuzzes the SOCKS5 proxy list parser ({@link SocksProxyParser}, Exim's {@code socks_proxy} syntax with
 * {@link EximList}'s separators and doubling).
 *
 * <p>Invariants: a list parses or fails with an {@link IllegalArgumentException}, nothing else; a parsed list
 * has 1 to 32 proxies, each with an IP address literal (never a name to look up), a port 1..65535, a positive
 * timeout, and at least one weight above zero; and no password given with {@code pass=} shows in an error
 * message or in a proxy's text form (both reach log lines).
 */
class SocksProxyParserFuzzTest {

    private static final Pattern PASS_VALUE = Pattern.compile("pass=([^\\s:;<]{4,})");

    @FuzzTest(maxDuration = "5m")
    void proxyList(byte[] input) {
        String list = new String(input, StandardCharsets.UTF_8);
        List<SocksProxy> proxies;
        try {
            proxies = SocksProxyParser.parse(list);
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            check(message != null && !message.isEmpty(), "refusal without a reason");
            // A password shows when text that stood only inside a pass= value reaches the message: parse the list
            // again with every pass= value replaced by a marker of the same length, and look for the marker.
            if (!list.contains("Zq")) {
                Matcher m = PASS_VALUE.matcher(list);
                StringBuilder marked = new StringBuilder();
                while (m.find()) {
                    m.appendReplacement(marked, "pass=" + "Zq".repeat(m.group(1).length() / 2 + 1).substring(0, m.group(1).length()));
                }
                m.appendTail(marked);
                try {
                    SocksProxyParser.parse(marked.toString());
                } catch (IllegalArgumentException again) {
                    check(!again.getMessage().contains("ZqZq") && !again.getMessage().contains("qZqZ"),
                            "a password shows in: " + again.getMessage());
                }
            }
            return;
        }
        check(!proxies.isEmpty() && proxies.size() <= SocksProxyParser.MAX_PROXIES, proxies.size() + " proxies");
        check(proxies.stream().anyMatch(p -> p.weight() > 0), "every weight is 0");
        for (SocksProxy p : proxies) {
            check(NetUtil.isValidIpV4Address(p.address()) || NetUtil.isValidIpV6Address(p.address()), "not an IP: " + p.address());
            check(p.port() >= 1 && p.port() <= 65535 && p.timeout().isPositive(), "bad port or timeout: " + p);
            if (!p.pass().isEmpty()) {
                // the text form must not depend on the password at all (another one, short: a pass is at most 255 octets)
                String other = new SocksProxy(p.address(), p.port(), p.auth(), p.name(), p.pass().equals("x") ? "y" : "x", p.timeout(),
                        p.priority(), p.weight()).toString();
                check(other.equals(p.toString()), "the password shows in " + p);
                check(p.pass().length() < 4 || p.address().contains(p.pass()) || !p.logItem().contains(p.pass()),
                        "logItem shows the password");
            }
        }
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }
}
