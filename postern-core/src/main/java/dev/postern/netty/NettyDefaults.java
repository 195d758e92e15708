package dev.postern.netty;

/**
 * Netty settings that Postern changes from Netty's defaults, as system properties, because Netty reads
 * them once, in static initialisers. Each is set only when the application has not set it, and only
 * takes effect when Postern is the first to use Netty in the JVM.
 * <ul>
 *   <li>{@code io.netty.jfr.enabled=false}: Netty 4.2's buffer allocator reports every allocation as a
 *       JDK Flight Recorder event class; the first one makes the JDK set up JFR's whole event metadata,
 *       a quarter of a cold start's CPU (bench/startup.sh), for events nobody records unless a recording
 *       is on. {@code -Dio.netty.jfr.enabled=true} brings them back.</li>
 * </ul>
 */
final class NettyDefaults {

    private NettyDefaults() {
    }

    /** Call before any Netty class is initialised (NettyTransport's static initialiser does). */
    static void apply() {
        setIfAbsent("io.netty.jfr.enabled", "false");
    }

    private static void setIfAbsent(String key, String value) {
        try {
            if (System.getProperty(key) == null) {
                System.setProperty(key, value);
            }
        } catch (SecurityException ignored) {
            // a locked-down JVM keeps Netty's default
        }
    }
}
