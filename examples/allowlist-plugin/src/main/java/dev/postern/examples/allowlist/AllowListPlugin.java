package dev.postern.examples.allowlist;

import dev.postern.SmtpHandler;
import dev.postern.server.plugin.HandlerPlugin;
import dev.postern.server.plugin.PluginContext;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code --handler allowlist}: accepts only the recipients its config-file section lists, every other
 * one gets {@code 550 5.7.1} at RCPT; the server's delivery then stores what was accepted.
 *
 * <pre>
 * plugin-dir: /etc/postern/plugins
 * handler: allowlist
 * plugins:
 *   allowlist:
 *     recipients:                 # addresses, or @domain for every address of a domain
 *       - alice@example.org
 *       - "@example.net"
 *     reply: "Recipient not on the allow list"   # optional text of the 550
 * </pre>
 */
public final class AllowListPlugin implements HandlerPlugin {

    static final String RECIPIENTS = "recipients";
    static final String REPLY = "reply";
    private static final Set<String> KEYS = Set.of(RECIPIENTS, REPLY);

    @Override
    public String name() {
        return "allowlist";
    }

    @Override
    public SmtpHandler create(Map<String, Object> settings, PluginContext context) {
        for (String key : settings.keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown key '" + key + "' (known keys: recipients, reply)");
            }
        }
        if (!(settings.get(RECIPIENTS) instanceof List<?> entries) || entries.isEmpty()) {
            throw new IllegalArgumentException("'" + RECIPIENTS + "' must be a list of addresses (alice@example.org) "
                    + "or domains (@example.org)");
        }
        Set<String> addresses = new HashSet<>();
        Set<String> domains = new HashSet<>();
        for (Object entry : entries) {
            String text = entry == null ? "" : entry.toString().strip().toLowerCase(Locale.ROOT);
            int at = text.lastIndexOf('@');
            if (at < 0 || at == text.length() - 1 || text.indexOf(' ') >= 0) {
                throw new IllegalArgumentException("'" + entry + "' in '" + RECIPIENTS + "' is neither an address "
                        + "(alice@example.org) nor a domain (@example.org)");
            }
            if (at == 0) {
                domains.add(text.substring(1));
            } else {
                addresses.add(text);
            }
        }
        Object reply = settings.get(REPLY);
        if (reply != null && (!(reply instanceof String text) || text.isBlank())) {
            throw new IllegalArgumentException("'" + REPLY + "' must be a line of text");
        }
        return new AllowListHandler(addresses, domains, reply == null ? "Recipient not on the allow list" : reply.toString());
    }
}
