/**
 * Postern's outbound side: a durable queue that hands accepted mail on over SMTP or LMTP, directly to
 * MX hosts or through a smarthost, optionally through SOCKS5 proxies chosen as Exim chooses them.
 */
module dev.postern.relay {
    exports dev.postern.relay;
    exports dev.postern.relay.client;

    requires transitive dev.postern.core;
    requires io.netty.buffer;
    requires io.netty.codec;
    requires io.netty.codec.dns;
    requires io.netty.common;
    requires io.netty.handler;
    requires io.netty.handler.proxy;
    requires io.netty.resolver;
    requires io.netty.resolver.dns;
    requires io.netty.transport;
    requires io.netty.transport.classes.epoll;
    requires org.slf4j;
}
