package dev.postern.protocol;

import dev.postern.BodyType;
import dev.postern.CommandDecision;
import dev.postern.ForwardPath;
import dev.postern.LogLevel;
import dev.postern.MailParameters;
import dev.postern.Recipient;
import dev.postern.ReversePath;
import dev.postern.SmtpHandler;
import dev.postern.SmtpRejection;
import dev.postern.SmtpReply;
import dev.postern.ServerMetrics;
import dev.postern.ServerMetrics.Counter;
import dev.postern.SmtpServerConfig;
import dev.postern.auth.AuthMechanism;
import dev.postern.auth.Credentials;
import dev.postern.auth.internal.SaslExchange;
import dev.postern.ReceivedMessage;
import dev.postern.message.ContentSink;
import dev.postern.message.HeaderBlockScanner;
import dev.postern.message.HeaderEdits;
import dev.postern.message.MessageSink;
import dev.postern.message.MessageSinkFactory;
import dev.postern.proxy.ProxyInfo;
import dev.postern.proxy.internal.ProxyPolicy;
import dev.postern.proxy.internal.XclientCommand;
import dev.postern.proxy.internal.XforwardCommand;
import dev.postern.tls.StartTlsMode;
import dev.postern.tls.TlsInfo;
import io.netty.buffer.ByteBuf;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.Locale;

/**
 * The SMTP server state machine for one session (RFC 5321, with RFC 1870 SIZE, RFC 6152 8BITMIME,
 * RFC 6531 SMTPUTF8, RFC 2920 PIPELINING, RFC 2034 ENHANCEDSTATUSCODES, RFC 3030 CHUNKING).
 *
 * <p>Sans-I/O: it is given received bytes and writes reply bytes to a {@link ReplySink}; it never
 * touches a socket, a thread or the clock (time comes from an {@link InstantSource}). It calls the
 * application's hooks directly; the transport decides on which thread {@link #receive} runs.
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
    }

    /** What the protocol is reading now; the transport picks its timeout from it. */
    public enum Mode { COMMAND, DATA, BDAT }

    private enum Phase { CONNECTED, READY, GREETED, CLOSED }

    private final SmtpServerConfig config;
    private final SmtpServerConfig.Extensions ext;
    private final SmtpHandler handler;
    private final SessionState session;
    private final InstantSource clock;
    private final ReplySink out;
    private final ServerMetrics metrics;
    private final MessageSinkFactory sinks;
    private final LineFramer framer;

    private Phase phase = Phase.CONNECTED;
    private volatile Mode mode = Mode.COMMAND;
    private Transaction tx;
    private boolean chunking; // BDAT has started the message of the current transaction
    private int messageSeq;
    private boolean xclientAllowed;
    private boolean xforwardAllowed;
    private boolean tlsPending; // STARTTLS accepted, handshake not done: input is plaintext to discard
    private SaslExchange sasl; // an AUTH exchange waiting for the client's next line
    private SmtpReply saslFailure; // XOAUTH2: the refusal to send once the client acknowledges the error challenge
    /** For CRAM-MD5 challenges; one for the server (SecureRandom is thread-safe), not one per connection. */
    private static final SecureRandom RANDOM = new SecureRandom();

    // the message being received
    private MessageSink spool;
    private HeaderBlockScanner headerScanner;
    private HeaderEdits headerEdits;
    private DataDecoder decoder;
    private Instant messageStarted;
    private SmtpReply messageRejection;
    private final MessageContent content = new MessageContent();

    // the BDAT chunk being read
    private long chunkRemaining;
    private boolean chunkLast;
    private SmtpReply chunkDiscardReply; // non-null: read the chunk, drop it, then send this

    /**
     * One session's protocol. It updates the server's {@code metrics} for replies, messages and AUTH, and
     * stores each message's content in a sink from {@code sinks}.
     */
    public SmtpProtocol(SmtpServerConfig config, SmtpHandler handler, SessionState session, InstantSource clock,
                        ServerMetrics metrics, MessageSinkFactory sinks, ReplySink out) {
        this.metrics = metrics;
        this.sinks = sinks;
        this.config = config;
        this.ext = config.extensions();
        this.handler = handler;
        this.session = session;
        this.clock = clock;
        this.out = out;
        this.framer = new LineFramer(config.lineEndings(), config.maxCommandLineLength(), config.maxLineBufferBytes());
    }

    public Mode mode() {
        return mode;
    }

    public boolean isClosed() {
        return phase == Phase.CLOSED;
    }

    public SessionState session() {
        return session;
    }

    /** The connection is ready: runs onConnect and sends the greeting (or the hook's rejection). */
    public void connect() {
        if (phase != Phase.CONNECTED) {
            return;
        }
        identityKnown();
        log(LogLevel.INFO, "connect from " + format(session.remoteAddress())
                + (session.isProxied() ? " via " + format(session.socketRemoteAddress()) : ""), null);
        try {
            handler.onConnect(session);
        } catch (Exception e) {
            SmtpReply r = failure(e, "onConnect", false);
            send(r.andClose());
            return;
        }
        phase = Phase.READY;
        send(new SmtpReply(220, null, List.of(session.greeting()), false));
    }

    /**
     * The client's identity is settled (after PROXY, or after XCLIENT): decides what it may do and
     * whether its sessions are logged, all by the real client's address.
     */
    private void identityKnown() {
        InetAddress client = session.remoteAddress().getAddress();
        xclientAllowed = config.xclientHosts().matches(client);
        xforwardAllowed = config.xforwardHosts().matches(client);
        session.quiet(config.ignoredHosts().matches(client));
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
            send(failure(e, "onProxy", false).andClose());
            return false;
        }
        session.proxy(accepted);
        return true;
    }

    /** The reverse DNS lookup of the real client answered, before {@link #connect}; null: no name. */
    public void clientHostName(String name) {
        session.remoteHostName(name);
    }

    /** The connection closed: releases the message in progress and runs onDisconnect. */
    public void disconnect() {
        abortTransaction();
        phase = Phase.CLOSED;
        try {
            handler.onDisconnect(session);
        } catch (Exception e) {
            log(LogLevel.WARN, "onDisconnect failed", e);
        }
    }

    /** Sends a reply decided outside the protocol (timeouts, shutdown, admission) and closes. */
    public void abort(SmtpReply reply) {
        if (phase != Phase.CLOSED) {
            send(reply.andClose());
        }
    }

    /**
     * Consumes as many received bytes as can be acted on now; an incomplete line stays in {@code in}
     * for the next call.
     */
    public void receive(ByteBuf in) {
        int commandsThisCall = 0;
        while (phase != Phase.CLOSED && in.isReadable()) {
            if (tlsPending) {
                in.skipBytes(in.readableBytes()); // RFC 3207 5: nothing sent in clear after STARTTLS counts
                return;
            }
            switch (mode) {
                case COMMAND -> {
                    if (phase == Phase.CONNECTED) {
                        // RFC 5321 4.3.1: the client waits for the greeting; one that talks first is refused.
                        log(LogLevel.WARN, "client talked before the greeting", null);
                        in.skipBytes(in.readableBytes());
                        send(Replies.EARLY_TALKER);
                        return;
                    }
                    if (commandsThisCall == 0 && session.errorCount() == 0 && ProxyPolicy.startsWithV2Signature(in)) {
                        // A v2 PROXY header from a source not trusted to send one: never believed.
                        log(LogLevel.WARN, ProxyPolicy.untrustedV2HeaderMessage(session.socketRemoteAddress()), null);
                        in.skipBytes(in.readableBytes());
                        send(Replies.PROXY_V2_UNTRUSTED);
                        return;
                    }
                    boolean saslLine = sasl != null || saslFailure != null;
                    LineFramer.Outcome outcome = framer.next(in, saslLine || isAuthCommand(in)
                            ? Math.max(AUTH_LINE_LIMIT, config.maxCommandLineLength()) : config.maxCommandLineLength());
                    switch (outcome) {
                        case NEED_MORE -> {
                            return;
                        }
                        case OVERFLOW -> {
                            in.skipBytes(in.readableBytes());
                            send(Replies.LINE_OVERFLOW);
                            return;
                        }
                        case TOO_LONG -> {
                            abortSasl();
                            send(Replies.LINE_TOO_LONG);
                        }
                        case BAD_CHARACTER -> send(Replies.BAD_CHARACTER);
                        case BARE_LF -> send(Replies.BARE_LF_COMMAND);
                        case LINE -> {
                            if (saslLine) {
                                saslResponse(framer.line(), framer.lineLength());
                            } else if (!ext.pipelining() && commandsThisCall > 0) {
                                // RFC 2920: without PIPELINING the client must wait for each reply.
                                send(Replies.PIPELINING_OFF);
                            } else {
                                command(framer.line(), framer.lineLength());
                            }
                            commandsThisCall++;
                        }
                    }
                }
                case DATA -> {
                    DataDecoder.Result r = decoder.decode(in, content);
                    if (r == DataDecoder.Result.END) {
                        finishMessage();
                    } else if (r == DataDecoder.Result.BARE_LINE_END) {
                        abortTransaction();
                        send(Replies.BARE_LINE_END_DATA);
                    }
                }
                case BDAT -> readChunk(in);
            }
        }
    }

    // ---------------------------------------------------------------- commands

    private void command(byte[] bytes, int length) {
        String line = decode(bytes, length);
        if (line == null) {
            send(Replies.BAD_UTF8);
            return;
        }
        CommandDecision decision;
        try {
            decision = handler.onCommand(session, line);
        } catch (SmtpRejection r) {
            send(r.reply());
            return;
        } catch (Exception e) {
            log(LogLevel.ERROR, "onCommand failed", e);
            metrics.increment(Counter.HOOK_FAILURES);
            send(Replies.HOOK_FAILED);
            return;
        }
        switch (decision) {
            case null -> { }
            case CommandDecision.Pass pass -> { }
            case CommandDecision.Rewrite rewrite -> line = rewrite.commandLine();
            case CommandDecision.Reply reply -> {
                send(reply.reply());
                return;
            }
        }
        int space = line.indexOf(' ');
        String verb = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
        String args = space < 0 ? "" : line.substring(space + 1);
        switch (verb) {
            case "EHLO" -> helo(args, true);
            case "HELO" -> helo(args, false);
            case "MAIL" -> mail(args);
            case "RCPT" -> rcpt(args);
            case "DATA" -> data(args);
            case "BDAT" -> {
                if (ext.chunking()) {
                    bdat(args);
                } else {
                    unknown(line);
                }
            }
            case "RSET" -> {
                if (!args.isBlank()) {
                    send(Replies.NO_PARAMETERS);
                } else {
                    abortTransaction();
                    send(Replies.OK);
                }
            }
            case "NOOP" -> send(Replies.OK);
            case "QUIT" -> send(Replies.BYE);
            case "VRFY" -> send(args.isBlank() ? Replies.VRFY_SYNTAX : Replies.VRFY);
            case "HELP" -> send(Replies.help(ext.chunking(), config.offersStartTls(), config.auth().enabled()));
            case "XCLIENT" -> xclient(args);
            case "XFORWARD" -> xforward(args);
            case "STARTTLS" -> startTls(args);
            case "AUTH" -> auth(args);
            case "EXPN", "ETRN", "TURN" -> send(Replies.NOT_IMPLEMENTED);
            case "" -> send(Replies.EMPTY_LINE);
            default -> {
                if (ProxyPolicy.isLateHeaderLine(verb)) {
                    log(LogLevel.WARN, ProxyPolicy.lateHeaderLineMessage(session.socketRemoteAddress()), null);
                    send(Replies.PROXY_LATE);
                } else {
                    unknown(line);
                }
            }
        }
    }

    private void helo(String args, boolean extended) {
        String name = args.strip();
        if (name.isEmpty() || name.indexOf(' ') >= 0 || name.indexOf('\t') >= 0) {
            send(Replies.HELO_SYNTAX);
            return;
        }
        try {
            handler.onHelo(session, name);
        } catch (Exception e) {
            send(failure(e, "onHelo", false));
            return;
        }
        abortTransaction(); // RFC 5321 4.1.4: EHLO / HELO reset the state
        session.helo(name, extended);
        phase = Phase.GREETED;
        if (!extended) {
            send(SmtpReply.of(250, session.heloResponse()));
            return;
        }
        List<String> lines = new ArrayList<>(8);
        lines.add(session.heloResponse());
        if (ext.size()) {
            lines.add("SIZE " + config.maxMessageSize());
        }
        if (ext.eightBitMime()) {
            lines.add("8BITMIME");
        }
        if (ext.smtpUtf8()) {
            lines.add("SMTPUTF8");
        }
        if (ext.pipelining()) {
            lines.add("PIPELINING");
        }
        if (ext.enhancedStatusCodes()) {
            lines.add("ENHANCEDSTATUSCODES");
        }
        if (ext.chunking()) {
            lines.add("CHUNKING");
        }
        if (config.offersStartTls() && !session.isSecure()) {
            lines.add("STARTTLS");
        }
        if (authOffered()) {
            StringBuilder auth = new StringBuilder("AUTH");
            for (AuthMechanism m : config.auth().mechanisms()) {
                auth.append(' ').append(m.wireName());
            }
            lines.add(auth.toString());
        }
        if (xclientAllowed) {
            lines.add("XCLIENT NAME ADDR PORT PROTO HELO LOGIN DESTADDR DESTPORT");
        }
        if (xforwardAllowed) {
            lines.add("XFORWARD NAME ADDR PORT PROTO HELO IDENT SOURCE");
        }
        send(new SmtpReply(250, null, lines, false));
    }

    private void mail(String args) {
        if (phase != Phase.GREETED) {
            send(Replies.HELO_FIRST);
            return;
        }
        if (tlsRequiredFirst()) {
            return;
        }
        if (config.auth().required() && session.authenticatedUser().isEmpty()) {
            send(Replies.AUTH_REQUIRED);
            return;
        }
        if (tx != null) {
            send(Replies.NESTED_MAIL);
            return;
        }
        if (!args.regionMatches(true, 0, "FROM:", 0, 5)) {
            send(Replies.MAIL_SYNTAX);
            return;
        }
        PathParser.Parsed<ReversePath> parsed;
        try {
            parsed = PathParser.parseReversePath(args.substring(5));
        } catch (PathSyntaxException e) {
            send(Replies.badSenderSyntax(e.getMessage()));
            return;
        }
        MailParameters params = parsed.parameters();
        if (!params.isEmpty() && !session.isEsmtp()) {
            send(Replies.PARAMS_NEED_EHLO);
            return;
        }
        BodyType body = BodyType.UNSPECIFIED;
        boolean utf8 = false;
        long declaredSize = -1;
        for (var p : params.values().entrySet()) {
            String key = p.getKey();
            String value = p.getValue();
            switch (key) {
                case "SIZE" -> {
                    if (!ext.size()) {
                        send(Replies.unsupportedParameter(key));
                        return;
                    }
                    if (value.isEmpty() || value.length() > 20 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                        send(Replies.BAD_SIZE);
                        return;
                    }
                    declaredSize = value.length() > 18 ? Long.MAX_VALUE : Long.parseLong(value);
                    // RFC 1870 6: a declared size over the limit is refused at once.
                    if (declaredSize > config.maxMessageSize()) {
                        send(Replies.MESSAGE_TOO_BIG);
                        return;
                    }
                }
                case "BODY" -> {
                    if (!ext.eightBitMime()) {
                        send(Replies.unsupportedParameter(key));
                        return;
                    }
                    switch (value.toUpperCase(Locale.ROOT)) {
                        case "7BIT" -> body = BodyType.SEVEN_BIT;
                        case "8BITMIME" -> body = BodyType.EIGHT_BIT_MIME;
                        default -> {
                            send(Replies.BAD_BODY);
                            return;
                        }
                    }
                }
                case "AUTH" -> {
                    // RFC 4954 5: the identity the message was submitted by; kept in the parameters, not trusted
                    if (!config.auth().enabled()) {
                        send(Replies.unsupportedParameter(key));
                        return;
                    }
                }
                case "SMTPUTF8" -> {
                    if (!ext.smtpUtf8()) {
                        send(Replies.unsupportedParameter(key));
                        return;
                    }
                    if (!value.isEmpty()) {
                        send(Replies.SMTPUTF8_VALUE);
                        return;
                    }
                    utf8 = true;
                }
                default -> {
                    send(Replies.unsupportedParameter(key));
                    return;
                }
            }
        }
        ReversePath from = parsed.path();
        if (!utf8 && from.mailbox() != null && from.mailbox().isInternationalized()) {
            send(Replies.NEED_SMTPUTF8);
            return;
        }
        try {
            ReversePath rewritten = handler.onMailFrom(session, from, params);
            if (rewritten != null) {
                from = rewritten;
            }
        } catch (Exception e) {
            send(failure(e, "onMailFrom", true));
            return;
        }
        tx = new Transaction(from, params, body, utf8, declaredSize);
        session.envelope(tx.envelope());
        send(Replies.SENDER_OK);
    }

    private void rcpt(String args) {
        if (phase != Phase.GREETED) {
            send(Replies.HELO_FIRST);
            return;
        }
        if (tx == null) {
            send(Replies.MAIL_FIRST);
            return;
        }
        if (chunking) {
            send(Replies.RCPT_IN_BDAT);
            return;
        }
        if (!args.regionMatches(true, 0, "TO:", 0, 3)) {
            send(Replies.RCPT_SYNTAX);
            return;
        }
        PathParser.Parsed<ForwardPath> parsed;
        try {
            parsed = PathParser.parseForwardPath(args.substring(3));
        } catch (PathSyntaxException e) {
            send(Replies.badRecipientSyntax(e.getMessage()));
            return;
        }
        if (!parsed.parameters().isEmpty()) {
            send(Replies.unsupportedParameter(parsed.parameters().values().keySet().iterator().next()));
            return;
        }
        ForwardPath to = parsed.path();
        if (!tx.smtpUtf8 && to.mailbox() != null && to.mailbox().isInternationalized()) {
            send(Replies.NEED_SMTPUTF8);
            return;
        }
        if (tx.recipients.size() >= config.maxRecipients()) {
            send(Replies.TOO_MANY_RECIPIENTS);
            return;
        }
        try {
            ForwardPath rewritten = handler.onRcptTo(session, to, parsed.parameters());
            if (rewritten != null) {
                to = rewritten;
            }
        } catch (Exception e) {
            send(failure(e, "onRcptTo", true));
            return;
        }
        tx.recipients.add(new Recipient(to, parsed.parameters()));
        session.envelope(tx.envelope());
        send(Replies.RECIPIENT_OK);
    }

    private void data(String args) {
        if (!args.isBlank()) {
            send(Replies.NO_PARAMETERS);
            return;
        }
        SmtpReply refusal = transactionReadyForContent();
        if (refusal == null && chunking) {
            refusal = Replies.DATA_IN_BDAT;
        }
        if (refusal != null) {
            send(refusal);
            return;
        }
        SmtpReply rejection = beginMessage(true);
        if (rejection != null) {
            abortTransaction();
            send(rejection);
            return;
        }
        mode = Mode.DATA;
        send(Replies.START_DATA);
    }

    private void bdat(String args) {
        String[] parts = args.strip().split(" +");
        boolean last = parts.length == 2 && parts[1].equalsIgnoreCase("LAST");
        if (parts.length < 1 || parts.length > 2 || (parts.length == 2 && !last) || parts[0].isEmpty()
                || parts[0].length() > 18 || !parts[0].chars().allMatch(c -> c >= '0' && c <= '9')) {
            send(Replies.BDAT_SYNTAX);
            return;
        }
        chunkRemaining = Long.parseLong(parts[0]);
        chunkLast = last;
        chunkDiscardReply = transactionReadyForContent();
        if (chunkDiscardReply == null && !chunking) {
            SmtpReply rejection = beginMessage(false);
            if (rejection != null) {
                abortTransaction();
                chunkDiscardReply = rejection;
            } else {
                chunking = true;
            }
        }
        mode = Mode.BDAT;
        if (chunkRemaining == 0) {
            endChunk();
        }
    }

    private void readChunk(ByteBuf in) {
        int n = (int) Math.min(chunkRemaining, in.readableBytes());
        if (chunkDiscardReply != null) {
            in.skipBytes(n);
            chunkRemaining -= n;
        } else {
            int before = in.readerIndex();
            DataDecoder.Result r = decoder.decode(in, n, content);
            chunkRemaining -= in.readerIndex() - before;
            if (r == DataDecoder.Result.BARE_LINE_END) {
                abortTransaction();
                send(Replies.BARE_LINE_END_DATA);
                return;
            }
        }
        if (chunkRemaining == 0) {
            endChunk();
        }
    }

    private void endChunk() {
        mode = Mode.COMMAND;
        if (chunkDiscardReply != null) {
            SmtpReply r = chunkDiscardReply;
            chunkDiscardReply = null;
            send(r);
            return;
        }
        if (chunkLast) {
            if (!decoder.finish(content)) {
                abortTransaction();
                send(Replies.BARE_LINE_END_DATA);
                return;
            }
            finishMessage();
        } else if (spool.isOversize()) {
            // RFC 3030 2: the transaction is over once a chunk pushes it past the limit.
            abortTransaction();
            send(Replies.MESSAGE_TOO_BIG);
        } else {
            send(SmtpReply.of(250, "2.0.0", spool.size() + " octets received"));
        }
    }

    // RFC 4954 4: an AUTH command or response line may be up to 12288 octets
    private static final int AUTH_LINE_LIMIT = 12288;

    private boolean isAuthCommand(ByteBuf in) {
        if (!config.auth().enabled() || in.readableBytes() < 5) {
            return false;
        }
        int i = in.readerIndex();
        return (in.getByte(i) | 0x20) == 'a' && (in.getByte(i + 1) | 0x20) == 'u' && (in.getByte(i + 2) | 0x20) == 't'
                && (in.getByte(i + 3) | 0x20) == 'h' && in.getByte(i + 4) == ' ';
    }

    /** AUTH is advertised and accepted: mechanisms configured, and TLS active unless plaintext AUTH is allowed. */
    private boolean authOffered() {
        return config.auth().enabled() && (session.isSecure() || config.auth().allowPlaintext());
    }

    /** AUTH (RFC 4954): starts a SASL exchange; its further lines go to {@link #saslResponse}. */
    private void auth(String args) {
        if (!config.auth().enabled()) {
            send(Replies.NOT_IMPLEMENTED);
            return;
        }
        if (phase != Phase.GREETED) {
            send(Replies.HELO_FIRST);
            return;
        }
        if (session.authenticatedUser().isPresent()) {
            send(Replies.AUTH_ALREADY);
            return;
        }
        if (tx != null) {
            send(Replies.IN_TRANSACTION);
            return;
        }
        if (tlsRequiredFirst()) {
            return;
        }
        String[] words = args.strip().split(" +");
        if (words[0].isEmpty() || words.length > 2) {
            send(Replies.AUTH_SYNTAX);
            return;
        }
        var mechanism = AuthMechanism.byWireName(words[0]).filter(config.auth().mechanisms()::contains);
        if (mechanism.isEmpty()) {
            send(Replies.AUTH_UNKNOWN_MECHANISM);
            return;
        }
        if (!authOffered()) {
            send(Replies.AUTH_NEEDS_TLS);
            return;
        }
        sasl = SaslExchange.start(mechanism.get(), config.hostname(), RANDOM, clock);
        saslStep(sasl.begin(words.length == 2 ? words[1] : null));
    }

    private void saslResponse(byte[] bytes, int length) {
        if (saslFailure != null) {
            SmtpReply r = saslFailure; // XOAUTH2: the client acknowledged the error challenge
            saslFailure = null;
            send(r);
            return;
        }
        saslStep(sasl.next(new String(bytes, 0, length, StandardCharsets.ISO_8859_1)));
    }

    private void saslStep(SaslExchange.Step step) {
        switch (step) {
            case SaslExchange.Step.Challenge c -> send(Replies.saslChallenge(c.text()));
            case SaslExchange.Step.Cancelled c -> {
                abortSasl();
                send(Replies.AUTH_CANCELLED);
            }
            case SaslExchange.Step.Malformed m -> {
                abortSasl();
                send(Replies.badAuthData(m.reason()));
            }
            case SaslExchange.Step.Done done -> authenticate(done.credentials());
        }
    }

    private void authenticate(Credentials credentials) {
        AuthMechanism mechanism = sasl.mechanism();
        sasl = null;
        String identity;
        try {
            identity = handler.onAuth(session, credentials);
        } catch (SmtpRejection r) {
            metrics.increment(Counter.AUTH_FAILURES);
            log(LogLevel.INFO, "AUTH " + mechanism.wireName() + " failed for " + printable(credentials.username())
                    + ": " + r.reply(), null);
            if (mechanism == AuthMechanism.XOAUTH2) {
                // Google's XOAUTH2: an error challenge first; the refusal follows the client's (empty) answer.
                saslFailure = r.reply();
                send(Replies.XOAUTH2_ERROR_CHALLENGE);
            } else {
                send(r.reply());
            }
            return;
        } catch (Exception e) {
            log(LogLevel.ERROR, "onAuth failed", e);
            metrics.increment(Counter.HOOK_FAILURES);
            send(Replies.AUTH_TEMPORARY_FAILURE);
            return;
        }
        String user = identity != null ? identity : credentials.username();
        session.authenticatedUser(user);
        metrics.increment(Counter.AUTH_SUCCESSES);
        log(LogLevel.INFO, "AUTH " + mechanism.wireName() + " as " + printable(user), null);
        send(Replies.AUTH_OK);
    }

    private void abortSasl() {
        sasl = null;
        saslFailure = null;
    }

    /** A client-chosen name made safe for one log line. */
    private static String printable(String text) {
        String s = text.length() > 200 ? text.substring(0, 200) + "..." : text;
        return s.codePoints().allMatch(c -> c >= 0x20 && c != 0x7f) ? s
                : s.codePoints().map(c -> c < 0x20 || c == 0x7f ? '?' : c)
                        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }

    /** RFC 3207 4: with STARTTLS required, a plain session may not start mail (or authenticate). */
    private boolean tlsRequiredFirst() {
        if (config.startTls() == StartTlsMode.REQUIRED && !session.isSecure()) {
            send(Replies.TLS_REQUIRED);
            return true;
        }
        return false;
    }

    /** STARTTLS (RFC 3207): a 220 in clear, then the transport's handshake; the session starts over. */
    private void startTls(String args) {
        if (!config.offersStartTls()) {
            send(Replies.NOT_IMPLEMENTED);
        } else if (!args.isBlank()) {
            send(Replies.NO_PARAMETERS);
        } else if (session.isSecure()) {
            send(Replies.TLS_ACTIVE);
        } else if (tx != null) {
            send(Replies.IN_TRANSACTION);
        } else {
            send(Replies.READY_FOR_TLS);
            tlsPending = true;
            out.startTls();
        }
    }

    /**
     * The TLS handshake is done (implicit TLS before {@link #connect}, or after STARTTLS): records it,
     * runs onSecure, and after STARTTLS forgets what the client said in clear (RFC 3207 4.2) so that
     * it must EHLO again.
     */
    public void tlsEstablished(TlsInfo info) {
        if (phase == Phase.CLOSED) {
            return;
        }
        boolean afterStartTls = tlsPending;
        tlsPending = false;
        session.tls(info);
        log(LogLevel.INFO, (afterStartTls ? "STARTTLS: " : "TLS: ") + info, null);
        if (afterStartTls) {
            abortTransaction();
            session.forgetHelo();
            session.authenticatedUser(null); // RFC 3207 4.2: nothing learned in clear counts, AUTH included
            phase = Phase.READY;
        }
        try {
            handler.onSecure(session);
        } catch (Exception e) {
            send(failure(e, "onSecure", false).andClose());
        }
    }

    /**
     * XCLIENT (Postfix XCLIENT_README): an authorized SMTP proxy (nginx mail, a content filter) names
     * the real client; the session starts over as if that client had connected, with a new greeting.
     */
    private void xclient(String args) {
        XclientCommand x = proxyCommand(xclientAllowed, args, XclientCommand::parse);
        if (x == null) {
            return;
        }
        InetSocketAddress remote = session.remoteAddress();
        InetSocketAddress local = session.localAddress();
        InetAddress addr = x.addr().orElse(remote.getAddress());
        int port = x.port().orElse(remote.getPort());
        InetAddress destAddr = x.destAddr().orElse(local.getAddress());
        int destPort = x.destPort().orElse(local.getPort());
        var has = x.attributes();
        session.xclient(new InetSocketAddress(addr, port), new InetSocketAddress(destAddr, destPort),
                x.name().orElse(null), has.contains(XclientCommand.Attribute.NAME),
                x.helo().orElse(null),
                x.proto().map(p -> p == XclientCommand.Protocol.ESMTP).orElse(null),
                has.contains(XclientCommand.Attribute.LOGIN) ? x.login().orElse("") : null);
        log(LogLevel.INFO, "XCLIENT from " + session.socketRemoteAddress() + ": client is now " + session.remoteAddress(), null);
        abortTransaction();
        phase = Phase.CONNECTED;
        connect();
    }

    /** XFORWARD (Postfix XFORWARD_README): an authorized proxy tells who the original client was, for logs and hooks. */
    private void xforward(String args) {
        XforwardCommand x = proxyCommand(xforwardAllowed, args, XforwardCommand::parse);
        if (x == null) {
            return;
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (XforwardCommand.Attribute a : x.attributes()) {
            String v = switch (a) {
                case NAME -> x.name().orElse("");
                case ADDR -> x.addr().orElse("");
                case PORT -> x.port().isPresent() ? String.valueOf(x.port().getAsInt()) : "";
                case PROTO -> x.proto().orElse("");
                case HELO -> x.helo().orElse("");
                case IDENT -> x.ident().orElse("");
                case SOURCE -> x.source().map(Enum::name).orElse("");
            };
            values.put(a.name(), v);
        }
        session.xforward(values);
        send(Replies.OK);
    }

    /**
     * The common gate of XCLIENT and XFORWARD: only from authorized clients, never inside a transaction;
     * returns the parsed command, or null after sending the refusal.
     */
    private <T> T proxyCommand(boolean allowed, String args, Function<String, T> parser) {
        if (!allowed) {
            send(Replies.NOT_AUTHORIZED);
            return null;
        }
        if (tx != null) {
            send(Replies.IN_TRANSACTION);
            return null;
        }
        try {
            return parser.apply(args);
        } catch (IllegalArgumentException e) {
            send(Replies.badProxyCommand(e.getMessage()));
            return null;
        }
    }

    private void unknown(String line) {
        session.countUnknownCommand();
        try {
            handler.onUnknownCommand(session, line);
            send(Replies.UNRECOGNIZED);
        } catch (Exception e) {
            send(failure(e, "onUnknownCommand", tx != null));
        }
    }

    // ---------------------------------------------------------------- messages

    private SmtpReply transactionReadyForContent() {
        if (phase != Phase.GREETED) {
            return Replies.HELO_FIRST;
        }
        if (tx == null) {
            return Replies.MAIL_FIRST;
        }
        if (tx.recipients.isEmpty()) {
            return Replies.RCPT_FIRST;
        }
        return null;
    }

    /** Prepares to receive content and runs onDataStart; returns its rejection, if any. */
    private SmtpReply beginMessage(boolean dotStuffed) {
        spool = sinks.open(config);
        headerScanner = new HeaderBlockScanner(config.maxHeaderBytes());
        headerEdits = new HeaderEdits();
        decoder = new DataDecoder(config.lineEndings(), dotStuffed);
        messageStarted = clock.instant();
        messageRejection = null;
        try {
            handler.onDataStart(session, headerEdits);
            return null;
        } catch (Exception e) {
            return failure(e, "onDataStart", true);
        }
    }

    private void headersComplete() {
        if (headerScanner.isTooLarge()) {
            messageRejection = Replies.HEADER_TOO_BIG;
            return;
        }
        headerEdits.fields(headerScanner.fields());
        try {
            handler.onDataHeaders(session, headerEdits);
        } catch (Exception e) {
            messageRejection = failure(e, "onDataHeaders", true);
        }
    }

    private void finishMessage() {
        mode = Mode.COMMAND;
        if (!headerScanner.isComplete()) {
            headerScanner.finish();
            headersComplete();
        }
        SmtpReply reply;
        if (spool.isOversize()) {
            reply = Replies.MESSAGE_TOO_BIG;
        } else if (messageRejection != null) {
            reply = messageRejection;
        } else if (spool.failure() != null) {
            log(LogLevel.ERROR, "cannot spool message", spool.failure());
            reply = Replies.SPOOL_FAILED;
        } else {
            String id = session.id() + "." + (++messageSeq);
            ReceivedMessage message = spool.message(id, tx.envelope(), messageStarted, headerScanner.headerEnd(), headerEdits);
            try {
                handler.onMessage(session, message);
                session.countMessage();
                metrics.increment(Counter.MESSAGES_ACCEPTED);
                metrics.add(Counter.MESSAGE_BYTES_ACCEPTED, message.size());
                reply = SmtpReply.of(250, "2.0.0", "Ok: queued as " + id);
                log(LogLevel.INFO, "message " + id + " accepted from " + tx.reversePath + " for "
                        + tx.recipients.size() + " recipient(s), " + message.size() + " octets", null);
            } catch (Exception e) {
                reply = failure(e, "onMessage", true);
            }
        }
        if (reply.code() >= 400) {
            metrics.increment(Counter.MESSAGES_REJECTED);
        }
        abortTransaction();
        send(reply);
    }

    private void abortTransaction() {
        if (tx != null) {
            session.clearXforward(); // XFORWARD attributes last for one transaction
        }
        tx = null;
        chunking = false;
        session.envelope(null);
        if (spool != null) {
            try {
                spool.close();
            } catch (RuntimeException e) {
                log(LogLevel.WARN, "cannot remove spool file", e);
            }
            spool = null;
        }
        headerScanner = null;
        headerEdits = null;
        decoder = null;
    }

    /** The decoded content on its way to the spool and, until it is complete, the header scanner. */
    private final class MessageContent implements ContentSink {
        @Override
        public void write(ByteBuf buf, int index, int length) {
            spool.write(buf, index, length);
            if (!headerScanner.isComplete() && headerScanner.feed(buf, index, length)) {
                headersComplete();
            }
        }

        @Override
        public void write(byte[] bytes) {
            spool.write(bytes);
            if (!headerScanner.isComplete() && headerScanner.feed(bytes)) {
                headersComplete();
            }
        }
    }

    // ---------------------------------------------------------------- replies and failures

    private void send(SmtpReply reply) {
        out.write(reply.format(ext.enhancedStatusCodes()).getBytes(StandardCharsets.UTF_8));
        if (reply.code() >= 400) {
            metrics.increment(reply.code() >= 500 ? Counter.REPLIES_5XX : Counter.REPLIES_4XX);
            session.countError();
            if (!reply.close() && session.errorCount() >= config.maxErrors()) {
                log(LogLevel.WARN, "too many errors (" + session.errorCount() + "); closing", null);
                out.write(Replies.TOO_MANY_ERRORS.format(ext.enhancedStatusCodes()).getBytes(StandardCharsets.UTF_8));
                close();
                return;
            }
        }
        if (reply.close()) {
            close();
        }
    }

    private void close() {
        abortTransaction();
        phase = Phase.CLOSED;
    }

    private SmtpReply failure(Exception e, String hook, boolean inTransaction) {
        if (e instanceof SmtpRejection r) {
            log(LogLevel.INFO, hook + " rejected: " + r.reply(), null);
            return r.reply();
        }
        log(LogLevel.ERROR, hook + " failed", e);
        metrics.increment(Counter.HOOK_FAILURES);
        return inTransaction ? Replies.HOOK_FAILED_TRANSACTION : Replies.HOOK_FAILED;
    }

    private void log(LogLevel level, String message, Throwable error) {
        if (session.isQuiet() && (level == LogLevel.INFO || level == LogLevel.DEBUG)) {
            return;
        }
        try {
            handler.onLogEvent(session, level, message, error);
        } catch (RuntimeException ignored) {
            // a broken log hook must not break the session
        }
    }

    private static String format(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
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
