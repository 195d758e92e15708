package dev.postern.netty;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Loads, on a daemon thread of its own, the classes of Netty and Postern that a JVM's first server and first
 * session use ({@code cold-start-classes.txt}, in the order a cold cycle loads them; {@code bench/startup.sh
 * --write-class-list} writes it), while the caller goes on building its configuration and looking up the host
 * name. Reading a class from its jar and defining it is most of what a cold start pays per class (about 500 of
 * them), and it is work a second core can do ahead of the caller.
 * <p>
 * Classes are loaded, never initialised: two threads initialising classes whose static initialisers refer to
 * each other can deadlock, while loading (the class loaders are parallel-capable) cannot; the caller's thread
 * initialises each class when it first uses it, as it would have anyway. A name that no longer exists (a
 * newer Netty) is skipped. {@code -Dpostern.coldStartLoading=false} turns it off.
 */
final class ColdStart {

    private static final AtomicBoolean BEGUN = new AtomicBoolean();

    private ColdStart() {
    }

    /** Starts the loading once per JVM (later calls do nothing). */
    static void begin() {
        if (!BEGUN.compareAndSet(false, true) || "false".equals(System.getProperty("postern.coldStartLoading"))) {
            return;
        }
        Thread loader = new Thread(ColdStart::loadAll, "postern-cold-start");
        loader.setDaemon(true);
        loader.setPriority(Thread.NORM_PRIORITY - 1); // never ahead of the application's own threads
        loader.start();
    }

    private static void loadAll() {
        ClassLoader classes = ColdStart.class.getClassLoader();
        try (InputStream list = ColdStart.class.getResourceAsStream("cold-start-classes.txt")) {
            if (list == null) {
                return;
            }
            BufferedReader names = new BufferedReader(new InputStreamReader(list, StandardCharsets.US_ASCII));
            for (String name = names.readLine(); name != null; name = names.readLine()) {
                try {
                    Class.forName(name, false, classes);
                } catch (ClassNotFoundException | LinkageError e) {
                    // gone or not loadable here: the caller will load what it needs itself
                }
            }
        } catch (IOException e) {
            // loading ahead is an optimisation only
        }
    }
}
