/**
 * Postern's outbound side: a durable queue that hands accepted mail on over SMTP or LMTP, directly to
 * MX hosts or through a smarthost, optionally through SOCKS5 proxies chosen as Exim chooses them.
 *
 * <p>Only the API packages are exported: the contract between the queue and the transport
 * ({@code dev.postern.relay}), the durable queue and its manager ({@code dev.postern.relay.queue}) and the
 * SMTP/LMTP client with its configuration ({@code dev.postern.relay.client}).
 * The client's machinery ({@code client.protocol}, {@code client.netty}, {@code client.internal}), the
 * SOCKS5 list and selection ({@code socks}) and DNS ({@code dns}) may change in any release.
 */
module dev.postern.relay {
    exports dev.postern.relay;
    exports dev.postern.relay.client;
    exports dev.postern.relay.queue;

    requires transitive dev.postern.core;
    // RelayClient.create takes a shared EventLoopGroup.
    requires transitive io.netty.transport;
    requires io.netty.buffer;
    requires io.netty.codec;
    requires io.netty.codec.dns;
    requires io.netty.common;
    requires io.netty.handler;
    requires io.netty.handler.proxy;
    requires io.netty.resolver;
    requires io.netty.resolver.dns;
    requires io.netty.transport.classes.epoll;
    requires org.slf4j;
}
