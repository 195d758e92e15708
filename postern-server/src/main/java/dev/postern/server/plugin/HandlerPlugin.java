package dev.postern.server.plugin;

import dev.postern.SmtpHandler;

import java.util.Map;

/**
 * A handler that operators can add to {@code postern serve} without writing a {@code main}: found with
 * {@link java.util.ServiceLoader} in the jars of {@code --plugin-dir}, chosen by {@link #name()} with
 * {@code --handler NAME} (or {@code handler:} in the config file), configured from the config file's
 * section {@code plugins: {NAME: {...}}}.
 *
 * <pre>{@code
 * public final class AllowListPlugin implements HandlerPlugin {
 *     public String name() { return "allowlist"; }
 *
 *     public SmtpHandler create(Map<String, Object> settings, PluginContext context) {
 *         Set<String> allowed = ...;   // from settings.get("recipients"); a bad value: IllegalArgumentException
 *         return new SmtpHandler() {
 *             public ForwardPath onRcptTo(SmtpSession s, ForwardPath to, MailParameters p) {
 *                 if (!allowed.contains(to.address())) throw SmtpRejection.of(550, "5.1.1", "Not allowed");
 *                 return to;
 *             }
 *         };
 *     }
 * }
 * }</pre>
 *
 * <p>The handler's hooks run in the server's chain, before the delivery's (see
 * {@link dev.postern.server.plugin}): a rejection stops the command there; a hook that returns a value
 * ({@code onMailFrom}, {@code onRcptTo}, ...) passes it on to the next handler; {@code onMessage} runs
 * before the message is stored, so a plugin may refuse a message but never needs to store it. Only the
 * hooks a handler overrides are called. {@code onLogEvent} is not chained: a plugin logs with SLF4J. A
 * handler that is {@link AutoCloseable} is closed when the server stops.
 */
public interface HandlerPlugin {

    /**
     * The name operators choose the plugin by, and the name of its config-file section.
     *
     * @return a short name, e.g. {@code allowlist}: letters, digits, '-' and '_'
     */
    String name();

    /**
     * Makes the plugin's handler, once, when the server starts.
     *
     * @param settings the plugin's section of the config file as YAML gives it (strings, lists, mappings;
     *                 every scalar a string), or an empty map when there is none; unmodifiable
     * @param context  what the server knows that a plugin may need
     * @return the handler; shared by every session, so thread-safe
     * @throws IllegalArgumentException when the settings are wrong: its message is shown to the operator,
     *                                  and the server does not start
     */
    SmtpHandler create(Map<String, Object> settings, PluginContext context);
}
