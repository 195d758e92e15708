package dev.postern.protocol;

import dev.postern.CommandDecision;
import dev.postern.LogLevel;
import dev.postern.ServerMetrics;
import dev.postern.ServerMetrics.Counter;
import dev.postern.SmtpHandler;
import dev.postern.SmtpRejection;
import dev.postern.SmtpReply;
import dev.postern.SmtpServerConfig;
import dev.postern.message.MessageSinkFactory;
import dev.postern.protocol.ProtocolContext.Phase;
import dev.postern.proxy.ProxyInfo;
import dev.postern.proxy.internal.ProxyPolicy;
import dev.postern.tls.TlsInfo;
import io.netty.buffer.ByteBuf;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Locale;

/**
 * The SMTP server state machine for one session (RFC 5321, with RFC 1870 SIZE, RFC 6152 8BITMIME,
 * RFC 6531 SMTPUTF8, RFC 2920 PIPELINING, RFC 2034 ENHANCEDSTATUSCODES, RFC 3030 CHUNKING): the entry
 * point of the transport, which frames command lines and dispatches each command to its family.
 *
 * <p>Sans-I/O: it is given received bytes and writes reply bytes to a {@link ReplySink}; it never
 * touches a socket, a file, a thread or the clock (time comes from an {@link InstantSource}, message
 * content goes to sinks from a {@link MessageSinkFactory}). It calls the application's hooks directly;
 * the transport decides on which thread {@link #receive} runs.
 *
 * <p>Bytes are consumed in lock-step with decisions: a command pipelined after DATA is read as
 * content only if DATA was accepted, exactly as a compliant server must.
 */
public final class SmtpProtocol {

    /** Where reply bytes go; the transport flushes them when {@link #receive} returns. */
    public interface ReplySink {
        void write(byte[] wire);

        /**
         * STARTTLS was accepted and its 220 written: the transport must send the replies written so far
         * in clear, then start the TLS handshake before reading anything more, and call
         * {@link #tlsEstablished} when it is done. Bytes the client sent after STARTTLS in clear are
         * discarded by the protocol (RFC 3207 5, the CVE-2011-0411 command injection).
         */
        default void startTls() {
            throw new UnsupportedOperationException("this transport cannot start TLS");
        }

        /**
         * The protocol wants a pause (a throttled AUTH, a tarpit): the transport must stop reading from
         * the connection, send the replies written so far and until the pause ends only after
         * {@code delay}, and then call {@link #resume()}. No thread may wait meanwhile.
         */
        default void pause(Duration delay) {
            throw new UnsupportedOperationException("this transport cannot pause");
        }
    }

    /**
     * What the transport measures around a message's end, without the protocol touching a clock: the
     * protocol says when the end of the content was read and when its reply is ready, the transport
     * times the two.
     */
    public interface MessageEvents {
        /** Nobody measures. */
        MessageEvents NONE = new MessageEvents() {
        };

        /** The end of a message's content was read (DATA's final dot, the last BDAT chunk). */
        default void contentEnded() {
        }

        /** The reply to that end is written: {@code octets} received, accepted or not. */
        default void messageReplied(long octets, SmtpReply reply) {
        }
    }

    /** What the protocol is reading now; the transport picks its timeout from it. */
    public enum Mode { COMMAND, DATA, BDAT }

    private final SmtpHandler handler;
    private final SessionState session;
    private final ProtocolContext ctx;
    private final LineFramer framer;

    // the command families, one of each for the session
    private final SessionCommands sessionCommands;
    private final EnvelopeCommands envelopeCommands;
    private final MessageCommands messageCommands;
    private final AuthCommand auth;
    private final StartTlsCommand startTls;
    private final ProxyCommands proxyCommands;

    /**
     * One session's protocol. It updates the server's {@code metrics} for replies, messages and AUTH, and
     * stores each message's content in a sink from {@code sinks}.
     */
    public SmtpProtocol(SmtpServerConfig config, SmtpHandler handler, SessionState session, InstantSource clock,
                        ServerMetrics metrics, MessageSinkFactory sinks, ReplySink out) {
        this(config, handler, session, clock, metrics, MessageEvents.NONE,
                new AuthThrottle(config.maxAuthFailures(), config.authFailureWindow()), sinks, out);
    }

    /**
     * As above, telling {@code events} when each message's content ends and is answered, with the
     * server-wide {@code authThrottle} shared by every session (the one above counts this session's
     * failures only).
     */
    public SmtpProtocol(SmtpServerConfig config, SmtpHandler handler, SessionState session, InstantSource clock,
                        ServerMetrics metrics, MessageEvents events, AuthThrottle authThrottle,
                        MessageSinkFactory sinks, ReplySink out) {
        this.handler = handler;
        this.session = session;
        this.ctx = new ProtocolContext(config, handler, session, clock, metrics, events, authThrottle, out);
        this.framer = new LineFramer(config.lineEndings(), config.maxCommandLineLength(), config.maxLineBufferBytes());
        this.startTls = new StartTlsCommand(ctx, out);
        this.auth = new AuthCommand(ctx, startTls);
        this.proxyCommands = new ProxyCommands(ctx);
        this.sessionCommands = new SessionCommands(ctx, auth, proxyCommands);
        this.envelopeCommands = new EnvelopeCommands(ctx, startTls);
        this.messageCommands = new MessageCommands(ctx, sinks);
    }

    public Mode mode() {
        return messageCommands.mode();
    }

    public boolean isClosed() {
        return ctx.phase() == Phase.CLOSED;
    }

    /** Whether the protocol asked for a pause ({@link ReplySink#pause}) that has not ended yet. */
    public boolean isPaused() {
        return ctx.paused();
    }

    /** The pause asked for is over: {@link #receive} reads again. */
    public void resume() {
        ctx.resume();
    }

    public SessionState session() {
        return session;
    }

    /** The connection is ready: runs onConnect and sends the greeting (or the hook's rejection). */
    public void connect() {
        if (ctx.phase() == Phase.CONNECTED) {
            sessionCommands.connect();
        }
    }

    /**
     * A trusted proxy's header arrived, before {@link #connect}: runs onProxy and records the header (or
     * the hook's adjusted one). Returns false when the hook refused the connection: its reply is
     * written and the session is closed, like every other hook failure.
     */
    public boolean proxyHeader(ProxyInfo info) {
        ProxyInfo accepted;
        try {
            ProxyInfo adjusted = handler.onProxy(session, info);
            accepted = adjusted == null ? info : adjusted;
        } catch (Exception e) {
            ctx.send(ctx.failure(e, "onProxy", false).andClose());
            return false;
        }
        session.proxy(accepted);
        return true;
    }

    /** The reverse DNS lookup of the real client answered, before {@link #connect}; null: no name. */
    public void clientHostName(String name) {
        session.remoteHostName(name);
    }

    /**
     * The TLS handshake is done (implicit TLS before {@link #connect}, or after STARTTLS): records it,
     * runs onSecure, and after STARTTLS forgets what the client said in clear (RFC 3207 4.2) so that
     * it must EHLO again.
     */
    public void tlsEstablished(TlsInfo info) {
        if (!isClosed()) {
            startTls.established(info);
        }
    }

    /** The connection closed: releases the message in progress and runs onDisconnect. */
    public void disconnect() {
        ctx.endTransaction();
        ctx.phase(Phase.CLOSED);
        try {
            handler.onDisconnect(session);
        } catch (Exception e) {
            ctx.log(LogLevel.WARN, "hook_failed", "onDisconnect failed", e);
        }
    }

    /** Sends a reply decided outside the protocol (timeouts, shutdown, admission) and closes. */
    public void abort(SmtpReply reply) {
        if (!isClosed()) {
            ctx.send(reply.andClose());
        }
    }

    /**
     * Consumes as many received bytes as can be acted on now; an incomplete line stays in {@code in}
     * for the next call.
     */
    public void receive(ByteBuf in) {
        int commandsThisCall = 0;
        while (!isClosed() && !ctx.paused() && in.isReadable()) {
            if (startTls.isPending()) {
                in.skipBytes(in.readableBytes()); // RFC 3207 5: nothing sent in clear after STARTTLS counts
                return;
            }
            switch (messageCommands.mode()) {
                case COMMAND -> {
                    if (ctx.phase() == Phase.CONNECTED) {
                        // RFC 5321 4.3.1: the client waits for the greeting; one that talks first is refused.
                        ctx.log(LogLevel.WARN, "early_talker", "client talked before the greeting", null);
                        in.skipBytes(in.readableBytes());
                        ctx.send(Replies.EARLY_TALKER);
                        return;
                    }
                    if (commandsThisCall == 0 && session.errorCount() == 0 && ProxyPolicy.startsWithV2Signature(in)) {
                        // A v2 PROXY header from a source not trusted to send one: never believed.
                        ctx.log(LogLevel.WARN, "proxy_header_refused", ProxyPolicy.untrustedV2HeaderMessage(session.socketRemoteAddress()), null);
                        in.skipBytes(in.readableBytes());
                        ctx.send(Replies.PROXY_V2_UNTRUSTED);
                        return;
                    }
                    boolean saslLine = auth.awaitsResponse();
                    switch (framer.next(in, lineLimit(in))) {
                        case NEED_MORE -> {
                            return;
                        }
                        case OVERFLOW -> {
                            in.skipBytes(in.readableBytes());
                            ctx.send(Replies.LINE_OVERFLOW);
                            return;
                        }
                        case TOO_LONG -> {
                            auth.cancel();
                            ctx.send(Replies.LINE_TOO_LONG);
                        }
                        case BAD_CHARACTER -> ctx.send(Replies.BAD_CHARACTER);
                        case BARE_LF -> ctx.send(Replies.BARE_LF_COMMAND);
                        case LINE -> {
                            if (saslLine) {
                                auth.response(framer.line(), framer.lineLength());
                            } else if (!ctx.ext.pipelining() && commandsThisCall > 0) {
                                // RFC 2920: without PIPELINING the client must wait for each reply.
                                ctx.send(Replies.PIPELINING_OFF);
                            } else {
                                command(framer.line(), framer.lineLength());
                            }
                            commandsThisCall++;
                        }
                    }
                }
                case DATA -> messageCommands.readData(in);
                case BDAT -> messageCommands.readChunk(in);
            }
        }
    }

    /**
     * The longest line the client may send next: AUTH's (RFC 4954 4), and with DSN offered, MAIL and RCPT
     * lines longer by what RET / ENVID and NOTIFY / ORCPT may add (RFC 3461 3: 100 and 500 characters),
     * within the line buffer.
     */
    private int lineLimit(ByteBuf in) {
        int limit = auth.lineLimit(in);
        if (ctx.ext.dsn() && !auth.awaitsResponse()) {
            int extra = startsWithVerb(in, "RCPT ") ? 500 : startsWithVerb(in, "MAIL ") ? 100 : 0;
            if (extra > 0) {
                limit = Math.max(limit, Math.min(ctx.config.maxCommandLineLength() + extra, ctx.config.maxLineBufferBytes()));
            }
        }
        return limit;
    }

    /** Whether the buffered input starts with {@code verb} (ASCII, any case). */
    private static boolean startsWithVerb(ByteBuf in, String verb) {
        if (in.readableBytes() < verb.length()) {
            return false;
        }
        int start = in.readerIndex();
        for (int i = 0; i < verb.length(); i++) {
            if ((in.getByte(start + i) | 0x20) != (verb.charAt(i) | 0x20)) {
                return false;
            }
        }
        return true;
    }

    /** One command line: the onCommand hook first, then the command's family. */
    private void command(byte[] bytes, int length) {
        String line = decode(bytes, length);
        if (line == null) {
            ctx.send(Replies.BAD_UTF8);
            return;
        }
        CommandDecision decision;
        try {
            decision = handler.onCommand(session, line);
        } catch (SmtpRejection r) {
            ctx.send(r.reply());
            return;
        } catch (Exception e) {
            ctx.log(LogLevel.ERROR, "hook_failed", "onCommand failed", e);
            ctx.metrics.increment(Counter.HOOK_FAILURES);
            ctx.send(Replies.HOOK_FAILED);
            return;
        }
        // instanceof, not a pattern switch: the first pattern switch of a JVM bootstraps SwitchBootstraps, which
        // spins a class with the class-file API (about a hundred JDK classes loaded, several milliseconds in the
        // first session of a cold start; bench/startup.sh). null and Pass leave the line as it is.
        if (decision instanceof CommandDecision.Rewrite rewrite) {
            line = rewrite.commandLine();
        } else if (decision instanceof CommandDecision.Reply reply) {
            ctx.send(reply.reply());
            return;
        }
        int space = line.indexOf(' ');
        String verb = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
        String args = space < 0 ? "" : line.substring(space + 1);
        switch (verb) {
            case "EHLO", "HELO", "LHLO" -> {
                // RFC 2033 4.1: an LMTP server greets LHLO only; an SMTP server knows no LHLO
                if (!ctx.lmtp) {
                    if (verb.equals("LHLO")) {
                        sessionCommands.unknown(line);
                    } else {
                        sessionCommands.helo(args, verb.equals("EHLO"));
                    }
                } else if (verb.equals("LHLO")) {
                    sessionCommands.helo(args, true);
                } else {
                    ctx.send(Replies.USE_LHLO);
                }
            }
            case "MAIL" -> envelopeCommands.mail(args);
            case "RCPT" -> envelopeCommands.rcpt(args);
            case "DATA" -> messageCommands.data(args);
            case "BDAT" -> {
                if (ctx.ext.chunking()) {
                    messageCommands.bdat(args);
                } else {
                    sessionCommands.unknown(line);
                }
            }
            case "RSET" -> sessionCommands.rset(args);
            case "NOOP" -> sessionCommands.noop();
            case "QUIT" -> sessionCommands.quit();
            case "VRFY" -> sessionCommands.vrfy(args);
            case "HELP" -> sessionCommands.help();
            case "XCLIENT" -> {
                if (proxyCommands.xclient(args)) {
                    connect(); // the session starts over for the client XCLIENT named
                }
            }
            case "XFORWARD" -> proxyCommands.xforward(args);
            case "STARTTLS" -> startTls.startTls(args);
            case "AUTH" -> auth.auth(args);
            case "EXPN", "ETRN", "TURN" -> sessionCommands.notImplemented();
            case "" -> sessionCommands.emptyLine();
            default -> {
                if (ProxyPolicy.isLateHeaderLine(verb)) {
                    ctx.log(LogLevel.WARN, "proxy_header_refused", ProxyPolicy.lateHeaderLineMessage(session.socketRemoteAddress()), null);
                    ctx.send(Replies.PROXY_LATE);
                } else {
                    sessionCommands.unknown(line);
                }
            }
        }
    }

    /** ASCII fast path; otherwise strict UTF-8 (RFC 6531), or null if malformed. */
    private static String decode(byte[] bytes, int length) {
        boolean ascii = true;
        for (int i = 0; i < length; i++) {
            if (bytes[i] < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, length)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
