package dev.postern.relay.client.protocol;

import java.time.Duration;
import java.util.List;

/**
 * The dialogue's view of one connection: commands out, replies in, message octets out, and the switch
 * to TLS. Calls block (the dialogue runs on a virtual thread) and every wait has a bound. The Netty
 * connection implements it; tests script it.
 */
public interface SmtpWire {

    /**
     * Sends command lines in one write (a pipelined group when there are several); each gets one reply.
     *
     * @param commands the lines, without CRLF
     * @throws WireException when the connection is gone
     */
    void send(List<String> commands) throws WireException;

    /**
     * Waits for the next reply.
     *
     * @param timeout  the longest wait
     * @param awaiting what the reply answers, for the error text (e.g. "the reply to RCPT TO")
     * @return the reply
     * @throws WireException on timeout, a closed connection or a malformed reply
     */
    Reply read(Duration timeout, String awaiting) throws WireException;

    /**
     * Writes message octets and waits until the connection has taken them (the back-pressure of a slow peer).
     *
     * @param data     the octets, already encoded for the wire
     * @param length   how many of them
     * @param replies  how many replies this write will produce (1 after the final DATA block or a BDAT chunk,
     *                 one per recipient after an LMTP final block, 0 for a middle DATA block)
     * @param timeout  the longest wait
     * @throws WireException on timeout or a closed connection
     */
    void write(byte[] data, int length, int replies, Duration timeout) throws WireException;

    /**
     * Starts TLS after the server's 220 to STARTTLS (RFC 3207 4) and waits for the handshake. Fails when
     * the server sent anything after its 220 (it would have been read as if protected: RFC 3207 6).
     *
     * @param timeout the longest wait for the handshake
     * @throws WireException when the handshake fails or times out
     */
    void startTls(Duration timeout) throws WireException;

    /** @return whether TLS is in effect */
    boolean secure();

    /** Closes the connection; safe to call more than once. */
    void close();
}
