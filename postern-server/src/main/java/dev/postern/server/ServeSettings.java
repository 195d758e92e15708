package dev.postern.server;

import dev.postern.Listener;
import dev.postern.SmtpServerConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything {@code postern serve} needs to run, resolved from defaults, the config file and flags.
 *
 * @param drainDelay on SIGTERM, how long /ready answers 503 before the listeners close
 * @param httpListen the address of the monitoring endpoint ({@link MonitoringEndpoint}), or null for none
 * @param relay      where accepted mail is relayed, through the queue, instead of the Maildir; null to use the Maildir
 * @param warnings   settings that are valid but probably not what was meant, to log at start
 * @param admin      the admin page and API on the monitoring endpoint ({@code --admin}), or null for none
 * @param plugins    the plugin handlers of --handler, to run before the delivery; null for none
 * @param logFormat  text or JSON lines
 * @param auth       AUTH against a users file ({@link AuthSettings#OFF} without it); its library part is in {@code server}
 */
record ServeSettings(SmtpServerConfig server, Path maildir, boolean discard, Duration shutdownGrace, Duration drainDelay,
                     Listener httpListen, LogThreshold logLevel, RelaySettings relay, List<String> warnings,
                     dev.postern.server.admin.AdminSettings admin, PluginHandlers plugins, LogFormat logFormat,
                     AuthSettings auth) {
}
