package dev.postern.testing;

import dev.postern.SmtpHandler;
import dev.postern.SmtpServerConfig;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Starts {@link TestServer}s for the running test and stops every one after it, whether it passed or
 * failed, last started first. Register it on an instance field; the test class's own {@code @AfterEach}
 * methods run before it, so peers in front of a server can be stopped first.
 *
 * <pre>{@code
 * @RegisterExtension
 * final TestServers servers = new TestServers(c -> c.tls(...));   // shared by every server of the class
 *
 * @Test
 * void something() throws Exception {
 *     TestServer server = servers.start(handler, c -> c.maxConnections(2));
 *     ...
 * }
 * }</pre>
 */
public final class TestServers implements AfterEachCallback {

    private final Consumer<SmtpServerConfig.Builder> defaults;
    private final List<TestServer> started = new ArrayList<>();

    public TestServers() {
        this(c -> { });
    }

    /** {@code defaults} applies to every server started here, before the test's own configuration. */
    public TestServers(Consumer<SmtpServerConfig.Builder> defaults) {
        this.defaults = defaults;
    }

    public TestServer start(SmtpHandler handler) throws IOException {
        return start(handler, c -> { });
    }

    public TestServer start(SmtpHandler handler, Consumer<SmtpServerConfig.Builder> config) throws IOException {
        return add(TestServer.start(handler, defaults.andThen(config)));
    }

    /** Stops {@code server} after the test too. */
    public synchronized TestServer add(TestServer server) {
        started.add(server);
        return server;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        RuntimeException failure = null;
        for (TestServer server : drain().reversed()) {
            try {
                server.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private synchronized List<TestServer> drain() {
        List<TestServer> all = List.copyOf(started);
        started.clear();
        return all;
    }
}
