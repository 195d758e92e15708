package dev.postern.server;

import java.io.IOException;
import java.net.URL;
import java.util.Enumeration;
import java.util.Set;

/**
 * The parent of every plugin's class loader: the JDK, and from the server only the packages a plugin is
 * promised (the plugin SPI, the library's API, SLF4J). Everything else a plugin uses comes from its own
 * jars, so that a plugin's library versions and the server's (Jackson, Netty, ...) never meet, and the
 * server's own service files are not seen when the plugin's providers are looked up.
 */
final class PluginApiClassLoader extends ClassLoader {

    /** The packages shared with plugins: exported API only, never machinery. */
    private static final Set<String> SHARED_PACKAGES = Set.of(
            "dev.postern", "dev.postern.auth", "dev.postern.proxy", "dev.postern.tls",
            "dev.postern.server.plugin",
            "org.slf4j", "org.slf4j.event", "org.slf4j.spi");

    private final ClassLoader server;

    PluginApiClassLoader(ClassLoader server) {
        super("postern-plugin-api", ClassLoader.getPlatformClassLoader());
        this.server = server;
    }

    static boolean shared(String className) {
        int dot = className.lastIndexOf('.');
        return dot > 0 && SHARED_PACKAGES.contains(className.substring(0, dot));
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (shared(name)) {
            return server.loadClass(name);
        }
        return super.loadClass(name, resolve); // the platform's, or ClassNotFoundException
    }

    /** Only the JDK's resources: the server's are its own business. */
    @Override
    public URL getResource(String name) {
        return getParent().getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        return getParent().getResources(name);
    }
}
