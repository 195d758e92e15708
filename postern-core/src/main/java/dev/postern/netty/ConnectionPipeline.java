package dev.postern.netty;

import dev.postern.Listener;
import dev.postern.proxy.ProxyProtocolMode;
import dev.postern.proxy.internal.ProxyPolicy;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;

import java.net.InetSocketAddress;

/**
 * The handlers an admitted connection needs, in the order of DESIGN.md, and only those: the
 * {@link ProxyGate} only where {@link ProxyPolicy} expects a header, the {@link TlsSwitch} only on
 * implicit-TLS listeners (STARTTLS adds its own when asked), and always the {@link SessionBridge}.
 * <pre>
 *   direct client:        [smtp]
 *   trusted proxy:        [proxy-gate, smtp]                 then [smtp]
 *   implicit TLS:         [tls-switch, smtp]                 then [tls, smtp]
 *   trusted proxy + TLS:  [proxy-gate, tls-switch, smtp]     then [tls, smtp]
 * </pre>
 */
final class ConnectionPipeline {

    static final String SESSION = "smtp";

    private ConnectionPipeline() {
    }

    /**
     * Adds the handlers behind {@code admission} and starts them: channelActive, then, for a client
     * that owes no header, {@link ClientIdentified#DIRECT} at once.
     */
    static void open(ChannelHandlerContext admission, ServerContext server, Listener listener) {
        SessionBridge session = new SessionBridge(server, admission.channel(), listener);
        ChannelPipeline pipeline = admission.pipeline();
        InetSocketAddress peer = (InetSocketAddress) admission.channel().remoteAddress();
        ProxyProtocolMode header = ProxyPolicy.expectedHeader(listener, peer.getAddress());
        if (header != null) {
            pipeline.addLast(ProxyGate.NAME, new ProxyGate(server, session.session(), header));
        }
        if (listener.implicitTls()) {
            pipeline.addLast(TlsSwitch.NAME, new TlsSwitch(server, session.session(), true));
        }
        pipeline.addLast(SESSION, session);
        admission.fireChannelActive();
        if (header == null) {
            admission.fireUserEventTriggered(ClientIdentified.DIRECT);
        }
    }
}
