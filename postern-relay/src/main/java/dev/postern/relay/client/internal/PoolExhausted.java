package dev.postern.relay.client.internal;

/** No connection slot for a destination became free in time, or the client is closed. */
final class PoolExhausted extends Exception {

    PoolExhausted(String message) {
        super(message);
    }
}
