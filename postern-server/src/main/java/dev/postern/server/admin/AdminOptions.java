package dev.postern.server.admin;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * The flags of {@code postern serve} for the admin page and API ({@code --admin}, {@code --admin-token-file},
 * {@code --admin-remote}): a picocli mixin, so that the config file takes them under the same names.
 */
public final class AdminOptions {

    @Option(names = "--admin",
            description = "Serve the admin page (/admin/) and its API on the --http-listen endpoint: the server, live sessions, "
                    + "charts of the last hour, the relay queue with its actions, the last messages received. Viewing needs "
                    + "no token; every action needs --admin-token-file's token. Default: off.")
    boolean enabled;

    @Option(names = "--admin-token-file", paramLabel = "FILE",
            description = "File whose first line is the admin token (at least " + AdminToken.MIN_LENGTH + " characters), "
                    + "which every admin action must send in the X-Postern-Token header. Default: none (the page is read-only).")
    Path tokenFile;

    @Option(names = "--admin-remote",
            description = "Answer admin requests from any client address; without it only loopback clients (127.0.0.0/8, ::1) "
                    + "get the admin page and API, whatever --http-listen binds. Default: off.")
    boolean remote;

    /**
     * The admin settings, checked.
     *
     * @param httpListenGiven whether the monitoring endpoint is on (--http-listen)
     * @return the settings, or null when --admin is off
     * @throws IllegalArgumentException when a setting is wrong (no endpoint, a token file that cannot be read,
     *                                  a short token, admin flags without --admin)
     */
    public AdminSettings settings(boolean httpListenGiven) {
        if (!enabled) {
            if (tokenFile != null || remote) {
                throw new IllegalArgumentException((tokenFile != null ? "--admin-token-file" : "--admin-remote")
                        + " is given without --admin, which turns the admin page on");
            }
            return null;
        }
        if (!httpListenGiven) {
            throw new IllegalArgumentException("--admin needs the monitoring endpoint: give --http-listen HOST:PORT "
                    + "(e.g. 127.0.0.1:9025)");
        }
        return new AdminSettings(tokenFile == null ? null : AdminToken.read(tokenFile), remote);
    }
}
