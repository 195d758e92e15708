package dev.postern.server.plugin;

import java.nio.file.Path;
import java.util.Optional;

/** What the server tells a {@link HandlerPlugin} when it creates its handler. */
public interface PluginContext {

    /**
     * The server's name, as in its greeting and Received fields.
     *
     * @return the {@code --hostname}, or the machine's name
     */
    String hostname();

    /**
     * The config file, to resolve relative paths in a plugin's settings against its directory.
     *
     * @return the {@code --config} file, or empty when the server runs on flags alone
     */
    Optional<Path> configFile();
}
