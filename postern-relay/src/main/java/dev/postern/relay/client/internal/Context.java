package dev.postern.relay.client.internal;

import dev.postern.relay.client.RelayClientConfig;
import dev.postern.relay.client.netty.Connector;
import dev.postern.relay.client.protocol.SessionSettings;
import dev.postern.relay.dns.MxResolver;

/**
 * What every delivery attempt of one client shares.
 *
 * @param config    the configuration
 * @param settings  the dialogue's part of it
 * @param pool      the connections
 * @param connector opens connections
 * @param resolver  DNS
 */
record Context(RelayClientConfig config, SessionSettings settings, ConnectionPool pool, Connector connector,
               MxResolver resolver) {
}
