package dev.postern.server;

import dev.postern.SmtpServerConfig;

import java.nio.file.Path;
import java.time.Duration;

/** Everything {@code postern serve} needs to run, resolved from defaults, the config file and flags. */
record ServeSettings(SmtpServerConfig server, Path maildir, boolean discard, Duration shutdownGrace) {
}
