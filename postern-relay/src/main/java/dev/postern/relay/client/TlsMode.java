package dev.postern.relay.client;

/** When the client uses STARTTLS (RFC 3207) and what it checks. */
public enum TlsMode {
    /** Never send STARTTLS, even when offered: for a trusted local hop such as LMTP on loopback. */
    NONE,
    /**
     * Use STARTTLS when the server offers it, accepting any certificate; deliver in clear when it is not
     * offered. A failed handshake fails the attempt with this host (it is deferred, or the next host is tried).
     */
    OPPORTUNISTIC,
    /** STARTTLS is required (any certificate): when it is not offered or the handshake fails, the attempt is deferred. */
    REQUIRED,
    /**
     * Like {@link #REQUIRED}, and the certificate chain must be trusted (the system trust store, or the
     * configured CA file) and name the host: the smarthost's configured name, or the MX host's name.
     */
    VERIFY;

    /** @return whether a connection without TLS must not carry mail */
    public boolean required() {
        return this == REQUIRED || this == VERIFY;
    }
}
