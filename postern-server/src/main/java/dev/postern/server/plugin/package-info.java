/**
 * Plugins for the standalone server ({@code postern serve --plugin-dir DIR --handler NAME}): a jar in the
 * plugin directory provides {@link dev.postern.server.plugin.HandlerPlugin}s through
 * {@link java.util.ServiceLoader} ({@code META-INF/services/dev.postern.server.plugin.HandlerPlugin}); the
 * operator chooses one or more by name, and configures each from its own section of the config file
 * ({@code plugins: {NAME: {...}}}). The chosen plugins' handlers run before the server's delivery (the
 * Maildir or the relay queue), which still stores every message they let through.
 *
 * <p>A plugin sees only this package, the library's API ({@code dev.postern}, {@code dev.postern.auth},
 * {@code dev.postern.proxy}, {@code dev.postern.tls}), SLF4J and the JDK: its other classes come from its
 * own jar (or its own directory of jars), so its dependencies cannot clash with the server's or another
 * plugin's.
 */
package dev.postern.server.plugin;
