package dev.postern.server;

import dev.postern.Listener;
import dev.postern.SmtpServerConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything {@code postern serve} needs to run, resolved from defaults, the config file and flags.
 *
 * @param httpListen the address of the monitoring endpoint ({@link MonitoringEndpoint}), or null for none
 * @param relay      where accepted mail is relayed, through the queue, instead of the Maildir; null to use the Maildir
 * @param warnings   settings that are valid but probably not what was meant, to log at start
 * @param admin      the admin page and API on the monitoring endpoint ({@code --admin}), or null for none
 */
record ServeSettings(SmtpServerConfig server, Path maildir, boolean discard, Duration shutdownGrace,
                     Listener httpListen, LogThreshold logLevel, RelaySettings relay, List<String> warnings,
                     dev.postern.server.admin.AdminSettings admin) {
}
