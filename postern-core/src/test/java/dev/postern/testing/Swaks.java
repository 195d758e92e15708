package dev.postern.testing;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * swaks, a real and widely used SMTP test client, against a local server. Like every {@link ExternalTool}
 * it fails the test when it is not installed.
 */
public final class Swaks {

    private Swaks() {
    }

    /**
     * Runs swaks against 127.0.0.1:{@code port} with HELO swaks.test and a 10 s timeout per step, then
     * {@code options}; the whole run is bounded to 30 s.
     */
    public static ExternalTool.Result run(int port, String... options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("swaks", "--server", "127.0.0.1", "--port", String.valueOf(port),
                "--helo", "swaks.test", "--timeout", "10"));
        command.addAll(List.of(options));
        return ExternalTool.run(Duration.ofSeconds(30), command);
    }
}
