package dev.postern.server;

import dev.postern.SmtpHandler;
import dev.postern.server.plugin.HandlerPlugin;
import dev.postern.server.plugin.PluginContext;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The plugins of {@code --plugin-dir}: each jar directly in the directory, and each subdirectory with
 * the jars of one plugin and its libraries, gets a class loader of its own whose parent shows only the
 * API ({@link PluginApiClassLoader}); the {@link HandlerPlugin}s they provide are found with
 * {@link ServiceLoader}. Every problem is a {@link ConfigException} that names the jar or the plugin.
 */
final class Plugins implements AutoCloseable {

    static final String SERVICE_FILE = "META-INF/services/" + HandlerPlugin.class.getName();
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

    /** A plugin found, and where it came from (for messages). */
    private record Found(HandlerPlugin plugin, Path source, ClassLoader loader) {
    }

    private final Path dir;
    private final Map<String, Found> byName;
    private final List<URLClassLoader> loaders;

    private Plugins(Path dir, Map<String, Found> byName, List<URLClassLoader> loaders) {
        this.dir = dir;
        this.byName = byName;
        this.loaders = loaders;
    }

    /** Loads every plugin of {@code dir}; a jar that cannot be read or provides no plugin is an error. */
    static Plugins load(Path dir) throws ConfigException {
        if (!Files.isDirectory(dir)) {
            throw new ConfigException("--plugin-dir " + dir + ": not a directory");
        }
        List<Path> entries;
        try (Stream<Path> list = Files.list(dir)) {
            entries = list.filter(p -> Files.isDirectory(p) || p.getFileName().toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new ConfigException("--plugin-dir " + dir + ": cannot list it: " + e.getMessage());
        }
        ClassLoader api = new PluginApiClassLoader(Plugins.class.getClassLoader());
        Map<String, Found> byName = new TreeMap<>();
        List<URLClassLoader> loaders = new ArrayList<>();
        Plugins plugins = new Plugins(dir, byName, loaders);
        try {
            for (Path entry : entries) {
                List<Path> jars = Files.isDirectory(entry) ? jarsIn(entry) : List.of(entry);
                if (jars.isEmpty()) {
                    continue;
                }
                URLClassLoader loader = new URLClassLoader("postern-plugin " + entry.getFileName(), urls(jars), api);
                loaders.add(loader);
                List<HandlerPlugin> provided = providers(entry, loader);
                if (provided.isEmpty()) {
                    throw new ConfigException("plugin " + entry + " provides no plugin: it needs a " + SERVICE_FILE
                            + " file naming its " + HandlerPlugin.class.getSimpleName() + " classes");
                }
                for (HandlerPlugin plugin : provided) {
                    String name = plugin.name();
                    if (name == null || !NAME.matcher(name).matches()) {
                        throw new ConfigException("plugin " + entry + ": " + plugin.getClass().getName() + " has the name '"
                                + name + "'; a name is letters, digits, '-' and '_'");
                    }
                    Found earlier = byName.putIfAbsent(name, new Found(plugin, entry, loader));
                    if (earlier != null) {
                        throw new ConfigException("two plugins named '" + name + "': in " + earlier.source() + " and in " + entry);
                    }
                }
            }
        } catch (ConfigException | RuntimeException e) {
            plugins.close();
            throw e;
        }
        return plugins;
    }

    private static List<Path> jarsIn(Path subdirectory) throws ConfigException {
        try (Stream<Path> list = Files.list(subdirectory)) {
            return list.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new ConfigException("plugin " + subdirectory + ": cannot list it: " + e.getMessage());
        }
    }

    /** The jars as URLs, each first opened as a jar so that a broken one is named here, not deep in a class load. */
    private static URL[] urls(List<Path> jars) throws ConfigException {
        URL[] urls = new URL[jars.size()];
        for (int i = 0; i < urls.length; i++) {
            Path jar = jars.get(i);
            try (JarFile ignored = new JarFile(jar.toFile())) {
                urls[i] = jar.toUri().toURL();
            } catch (MalformedURLException e) {
                throw new ConfigException("plugin jar " + jar + ": " + e.getMessage());
            } catch (IOException e) {
                throw new ConfigException("plugin jar " + jar + " cannot be read as a jar: " + e.getMessage());
            }
        }
        return urls;
    }

    private static List<HandlerPlugin> providers(Path entry, ClassLoader loader) throws ConfigException {
        List<HandlerPlugin> found = new ArrayList<>();
        try {
            for (HandlerPlugin plugin : ServiceLoader.load(HandlerPlugin.class, loader)) {
                found.add(plugin);
            }
        } catch (ServiceConfigurationError | LinkageError e) {
            // A class named in the service file that is missing, not a HandlerPlugin, or needs a class the
            // plugin does not bring (a server class that is not API, say).
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new ConfigException("plugin " + entry + " cannot be loaded: " + e.getMessage()
                    + (cause != e ? " (" + cause + ")" : ""));
        }
        return found;
    }

    /** The names of the plugins found, sorted. */
    List<String> names() {
        return List.copyOf(byName.keySet());
    }

    /**
     * Creates the handler of the plugin {@code name} from its section of the config file.
     *
     * @param section the plugin's settings, empty when the file has none
     * @param where   where the section is, for messages ({@code plugins.NAME in FILE})
     */
    SmtpHandler create(String name, Map<String, Object> section, PluginContext context, String where) throws ConfigException {
        Found found = byName.get(name);
        if (found == null) {
            throw new ConfigException("--handler " + name + ": no plugin of that name in --plugin-dir " + dir
                    + (byName.isEmpty() ? " (it holds none)" : " (found: " + String.join(", ", byName.keySet()) + ")"));
        }
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        // Libraries find their resources through the context class loader: the plugin's own, while it starts.
        thread.setContextClassLoader(found.loader());
        try {
            SmtpHandler handler = found.plugin().create(Collections.unmodifiableMap(section), context);
            if (handler == null) {
                throw new ConfigException("plugin '" + name + "' (" + found.source() + ") made no handler");
            }
            return handler;
        } catch (IllegalArgumentException e) {
            throw new ConfigException("plugin '" + name + "', " + where + ": " + e.getMessage());
        } catch (RuntimeException | LinkageError e) {
            throw new ConfigException("plugin '" + name + "' (" + found.source() + ") failed to start: " + e);
        } finally {
            thread.setContextClassLoader(before);
        }
    }

    /** Closes the plugins' class loaders (their jars); only once the server no longer runs their handlers. */
    @Override
    public void close() {
        for (URLClassLoader loader : loaders) {
            try {
                loader.close();
            } catch (IOException ignored) {
                // the jars stay open until exit: nothing is lost
            }
        }
    }
}
