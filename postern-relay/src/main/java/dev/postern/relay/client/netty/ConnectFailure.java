package dev.postern.relay.client.netty;

/** No connection to an address: refused, unreachable, timed out, or every SOCKS5 proxy failed. */
public final class ConnectFailure extends Exception {

    private final String proxy;

    /**
     * @param message what failed, for the delivery report
     * @param proxy   the last proxy tried, as {@code PRX=[address]:port}, or empty
     */
    public ConnectFailure(String message, String proxy) {
        super(message);
        this.proxy = proxy;
    }

    /** @return the last proxy tried, or empty */
    public String proxy() {
        return proxy;
    }
}
