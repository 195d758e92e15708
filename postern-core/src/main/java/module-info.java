/**
 * Postern's embeddable SMTP server: build one with {@link dev.postern.SmtpServer#builder()}, decide
 * everything through the hooks of {@link dev.postern.SmtpHandler}.
 *
 * <p>Only the API packages are exported. The protocol state machine ({@code dev.postern.protocol}), the
 * Netty transport ({@code dev.postern.netty}), the message spool ({@code dev.postern.message}) and the
 * {@code internal} packages are machinery that may change in any release.
 */
module dev.postern.core {
    exports dev.postern;
    exports dev.postern.auth;
    exports dev.postern.proxy;
    exports dev.postern.tls;

    requires io.netty.buffer;
    requires io.netty.codec;
    requires io.netty.codec.haproxy;
    requires io.netty.common;
    requires io.netty.handler;
    requires io.netty.transport;
    requires io.netty.transport.classes.epoll;
    requires org.slf4j;
    // Bouncy Castle only generates self-signed certificates (TlsConfig.SelfSigned): optional.
    requires static org.bouncycastle.pkix;
    requires static org.bouncycastle.provider;
}
