package dev.postern.relay.client.netty;

import dev.postern.relay.client.protocol.SmtpWire;

/** A connected channel, and how it was reached for the delivery report. */
public final class Connection {

    private final NettyWire wire;
    private final String remote;
    private final String proxy;

    Connection(NettyWire wire, String remote, String proxy) {
        this.wire = wire;
        this.remote = remote;
        this.proxy = proxy;
    }

    /** @return the dialogue's view of the connection */
    public SmtpWire smtp() {
        return wire;
    }

    /** @return the server as {@code name[address]:port} */
    public String remote() {
        return remote;
    }

    /** @return the SOCKS5 proxy used, as {@code PRX=[address]:port}, or empty */
    public String proxy() {
        return proxy;
    }

    /** @return whether the connection is open with nothing unread, so a pooled one can be reused */
    public boolean idle() {
        return wire.idle();
    }

    /**
     * @param action runs once when the connection closes, whoever closes it
     */
    public void onClose(Runnable action) {
        wire.channel().closeFuture().addListener(f -> action.run());
    }

    /** Closes it. */
    public void close() {
        wire.close();
    }

    /**
     * Closes it under a delivery still in flight.
     *
     * @param why what the delivery's report says, e.g. "the relay client is closing"
     */
    public void abort(String why) {
        wire.close(why);
    }
}
