package dev.postern.netty;

import dev.postern.proxy.ProxyInfo;

/**
 * The user event that ends identification, fired once per connection: by the {@link ProxyGate} when a
 * trusted proxy's header (or, in optional mode, its absence) is settled, or at once for a client that
 * owes no header. The session starts on it.
 *
 * @param proxy the header as received, or null for a direct client
 */
record ClientIdentified(ProxyInfo proxy) {

    static final ClientIdentified DIRECT = new ClientIdentified(null);
}
