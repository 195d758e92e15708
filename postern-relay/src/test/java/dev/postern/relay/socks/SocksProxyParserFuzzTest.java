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

    private static final Pattern PASS = Pattern.compile("pass=(\\S{6,})");

    @FuzzTest(maxDuration = "5m")
    void proxyList(byte[] input) {
        String list = new String(input, StandardCharsets.UTF_8);
        List<SocksProxy> proxies;
        try {
            proxies = SocksProxyParser.parse(list);
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            check(message != null && !message.isEmpty(), "refusal without a reason");
            // (the parser's fixed advice quotes an example list, which a fuzzed password may happen to equal)
            String own = message.replaceAll(" \\(Exim takes addresses.*\\)$", "").replace("pass=***", "");
            Matcher m = PASS.matcher(list);
            while (m.find()) {
                String secret = m.group(1);
                // the same text elsewhere in the list (Exim's doubled separators undone) is not the password showing
                String rest = list.replace("pass=" + secret, "");
                boolean elsewhere = rest.contains(secret) || rest.replace("::", ":").contains(secret) || rest.replace(";;", ";").contains(secret);
                check(!own.contains(secret) || elsewhere,
                        "the password shows in: " + message);
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
                check(!p.logItem().contains("pass"), "logItem shows the password");
            }
        }
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }
}
