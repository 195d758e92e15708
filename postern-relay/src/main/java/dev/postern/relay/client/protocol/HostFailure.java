package dev.postern.relay.client.protocol;

import dev.postern.relay.RemoteReply;

/**
 * A host could not take mail before any recipient was tried: a refused greeting, EHLO and HELO refused,
 * STARTTLS missing or failed when required, AUTH refused. The attempt moves on to the next host; when
 * there is none, the recipients are deferred with this reply.
 */
public final class HostFailure extends Exception {

    private final transient RemoteReply reply;

    /**
     * @param reply the server's reply, or Postern's description of the failure
     */
    public HostFailure(RemoteReply reply) {
        super(reply.toString());
        this.reply = reply;
    }

    /** @return the reply the recipients are deferred with */
    public RemoteReply reply() {
        return reply;
    }
}
