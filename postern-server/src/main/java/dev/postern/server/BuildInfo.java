package dev.postern.server;

import picocli.CommandLine.IVersionProvider;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * What {@code postern --version} prints: Postern's version and the commit it was built from (the build
 * writes both into {@code build.properties}; a build outside a git checkout has no commit), and the Java
 * runtime it runs on.
 */
final class BuildInfo implements IVersionProvider {

    private static final String RESOURCE = "build.properties";

    private final String version;
    /** Null when the build had no git checkout. */
    private final String commit;
    private final boolean modified;

    BuildInfo() {
        this(read());
    }

    BuildInfo(Properties build) {
        this.version = known(build.getProperty("version"), "unknown");
        this.commit = known(build.getProperty("commit"), null);
        this.modified = "true".equals(known(build.getProperty("dirty"), "false"));
    }

    String version() {
        return version;
    }

    /** The commit's abbreviated id, or null when the build had none. */
    String commit() {
        return commit;
    }

    @Override
    public String[] getVersion() {
        String built = commit == null ? "" : " (commit " + commit + (modified ? ", with uncommitted changes" : "") + ")";
        Runtime.Version java = Runtime.version();
        return new String[] {
            "postern " + version + built,
            "Java " + java + " (" + System.getProperty("java.vendor") + ", " + System.getProperty("java.home") + ")"
        };
    }

    private static Properties read() {
        Properties build = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                build.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
        return build;
    }

    /** A property the build filled in; a placeholder left as it was (no git checkout) is unknown. */
    private static String known(String value, String otherwise) {
        return value == null || value.isBlank() || value.startsWith("${") ? otherwise : value.strip();
    }
}
