package dev.postern.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * What this build of the server is: its version and the git commit it was built from, as the build wrote
 * them into {@code build.properties}, and the Java runtime it runs on. A value the build could not know
 * (no git checkout, the resource unfiltered in an IDE) is {@code unknown}.
 *
 * @param version     the project version, e.g. 0.1.0-SNAPSHOT
 * @param commit      the abbreviated git commit id
 * @param javaVersion the running JVM's version ({@code java.version})
 */
record BuildInfo(String version, String commit, String javaVersion) {

    static final String UNKNOWN = "unknown";

    static BuildInfo current() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("build.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read build.properties", e);
        }
        return new BuildInfo(known(p.getProperty("version")), known(p.getProperty("commit")),
                known(System.getProperty("java.version")));
    }

    /** An unfiltered placeholder ({@code ${...}}) or nothing is unknown. */
    private static String known(String value) {
        return value == null || value.isBlank() || value.startsWith("${") ? UNKNOWN : value.strip();
    }
}
