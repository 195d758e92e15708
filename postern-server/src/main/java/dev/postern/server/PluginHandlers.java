package dev.postern.server;

import dev.postern.SmtpHandler;
import dev.postern.server.plugin.PluginContext;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The handlers of the chosen plugins, made at start, and the class loaders behind them: what
 * {@link StandaloneServer} chains before its delivery and closes when it stops.
 *
 * @param names    the plugins' names, in --handler order
 * @param handlers their handlers, in the same order
 */
record PluginHandlers(List<String> names, List<SmtpHandler> handlers, Plugins loaded) implements AutoCloseable {

    static PluginHandlers create(Path dir, List<String> chosen, Map<String, Map<String, Object>> sections,
                                 PluginContext context, Path configFile) throws ConfigException {
        Plugins plugins = Plugins.load(dir);
        List<SmtpHandler> handlers = new ArrayList<>();
        try {
            for (String name : chosen) {
                String where = "section plugins." + name + (configFile == null ? " (no --config file)" : " of " + configFile);
                handlers.add(plugins.create(name, sections.getOrDefault(name, Map.of()), context, where));
            }
        } catch (ConfigException | RuntimeException e) {
            new PluginHandlers(chosen, handlers, plugins).close();
            throw e;
        }
        return new PluginHandlers(List.copyOf(chosen), List.copyOf(handlers), plugins);
    }

    /** The plugins' handlers first, then {@code delivery}, as one handler. */
    SmtpHandler before(SmtpHandler delivery) {
        List<SmtpHandler> chain = new ArrayList<>(handlers);
        chain.add(delivery);
        return new HandlerChain(chain);
    }

    /** Closes the handlers that are {@link AutoCloseable}, then the class loaders; a failure is dropped. */
    @Override
    public void close() {
        for (SmtpHandler handler : handlers) {
            if (handler instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception ignored) {
                    // stopping anyway: nothing more to do with a plugin that cannot close
                }
            }
        }
        loaded.close();
    }
}
