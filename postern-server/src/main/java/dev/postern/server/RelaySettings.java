package dev.postern.server;

import dev.postern.relay.client.RelayClientConfig;
import dev.postern.relay.queue.DeliverySettings;
import dev.postern.relay.queue.MailQueue;

import java.nio.file.Path;

/**
 * How {@code postern serve --relay} queues and delivers, resolved from the relay flags ({@link RelayOptions}).
 *
 * @param queueDir the queue's directory
 * @param limits   how much the queue holds before new mail gets 452 4.3.1
 * @param client   the outbound SMTP/LMTP client: target, TLS, AUTH, SOCKS5 proxies, DNS, connection limits
 * @param delivery concurrency, retry schedule, maximum queue time, DSNs, and the bound of a graceful stop
 * @param access   who may relay to whom
 */
record RelaySettings(Path queueDir, MailQueue.Limits limits, RelayClientConfig client, DeliverySettings delivery,
                     RelayAccess access) {
}
