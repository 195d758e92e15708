package dev.postern.protocol;

import dev.postern.LogLevel;
import dev.postern.SessionEvent;
import dev.postern.ServerMetrics.Counter;
import dev.postern.SmtpRejection;
import dev.postern.SmtpReply;
import dev.postern.auth.AuthMechanism;
import dev.postern.auth.Authentication;
import dev.postern.auth.Credentials;
import dev.postern.auth.internal.SaslExchange;
import dev.postern.protocol.ProtocolContext.Phase;
import io.netty.buffer.ByteBuf;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.security.SecureRandom;

/**
 * AUTH (RFC 4954): starts a SASL exchange and drives it line by line; the mechanisms themselves are
 * {@link SaslExchange}'s. While an exchange waits for the client, its lines are responses, not commands.
 */
final class AuthCommand {

    // RFC 4954 4: an AUTH command or response line may be up to 12288 octets
    private static final int AUTH_LINE_LIMIT = 12288;
    /**
     * For CRAM-MD5 challenges; one for the server (SecureRandom is thread-safe), not one per connection.
     * In a holder, made at the first AUTH: a session that never authenticates does not set up the JDK's
     * security providers (a cold start's first session otherwise pays for them).
     */
    private static final class Random {
        static final SecureRandom INSTANCE = new SecureRandom();
    }

    private final ProtocolContext ctx;
    private final StartTlsCommand startTls;
    private SaslExchange sasl; // an exchange waiting for the client's next line
    private SmtpReply saslFailure; // XOAUTH2: the refusal to send once the client acknowledges the error challenge

    AuthCommand(ProtocolContext ctx, StartTlsCommand startTls) {
        this.ctx = ctx;
        this.startTls = startTls;
    }

    /** AUTH is advertised and accepted: mechanisms configured, and TLS active unless plaintext AUTH is allowed. */
    boolean isOffered() {
        return ctx.config.auth().enabled() && (ctx.session.isSecure() || ctx.config.auth().allowPlaintext());
    }

    /** Whether the next line is the client's response in an exchange, for {@link #response}. */
    boolean awaitsResponse() {
        return sasl != null || saslFailure != null;
    }

    /** The longest line the client may send next: longer for AUTH and its responses. */
    int lineLimit(ByteBuf in) {
        int limit = ctx.config.maxCommandLineLength();
        return awaitsResponse() || isAuthCommand(in) ? Math.max(AUTH_LINE_LIMIT, limit) : limit;
    }

    private boolean isAuthCommand(ByteBuf in) {
        if (!ctx.config.auth().enabled() || in.readableBytes() < 5) {
            return false;
        }
        int i = in.readerIndex();
        return (in.getByte(i) | 0x20) == 'a' && (in.getByte(i + 1) | 0x20) == 'u' && (in.getByte(i + 2) | 0x20) == 't'
                && (in.getByte(i + 3) | 0x20) == 'h' && in.getByte(i + 4) == ' ';
    }

    void auth(String args) {
        if (!ctx.config.auth().enabled()) {
            ctx.send(Replies.NOT_IMPLEMENTED);
            return;
        }
        if (ctx.phase() != Phase.GREETED) {
            ctx.send(ctx.helloFirst());
            return;
        }
        if (ctx.session.authenticatedUser().isPresent()) {
            ctx.send(Replies.AUTH_ALREADY);
            return;
        }
        if (ctx.transaction() != null) {
            ctx.send(Replies.IN_TRANSACTION);
            return;
        }
        if (startTls.requiredFirst()) {
            return;
        }
        String[] words = args.strip().split(" +");
        if (words[0].isEmpty() || words.length > 2) {
            ctx.send(Replies.AUTH_SYNTAX);
            return;
        }
        // authFailureLimit: a client that failed too often is refused, whatever it asks for
        Duration refusal = ctx.authThrottle.refusalDelay(client(), ctx.clock.instant());
        if (refusal != null) {
            ctx.log(LogLevel.WARN, "auth_throttled", "AUTH refused: too many failures from " + client().getHostAddress()
                    + "; answering in " + refusal.toSeconds() + " s", null);
            ctx.pause(refusal);
            ctx.send(Replies.AUTH_THROTTLED);
            return;
        }
        var mechanism = AuthMechanism.byWireName(words[0]).filter(ctx.config.auth().mechanisms()::contains);
        if (mechanism.isEmpty()) {
            ctx.send(Replies.AUTH_UNKNOWN_MECHANISM);
            return;
        }
        if (!isOffered()) {
            ctx.send(Replies.AUTH_NEEDS_TLS);
            return;
        }
        sasl = SaslExchange.start(mechanism.get(), ctx.config.hostname(), Random.INSTANCE, ctx.clock);
        step(sasl.begin(words.length == 2 ? words[1] : null));
    }

    /** The client's line in the exchange. */
    void response(byte[] bytes, int length) {
        if (saslFailure != null) {
            SmtpReply r = saslFailure; // XOAUTH2: the client acknowledged the error challenge
            saslFailure = null;
            ctx.send(r);
            return;
        }
        step(sasl.next(new String(bytes, 0, length, StandardCharsets.ISO_8859_1)));
    }

    /** Drops the exchange in progress (the client's line was too long to be a response). */
    void cancel() {
        sasl = null;
        saslFailure = null;
    }

    private void step(SaslExchange.Step step) {
        switch (step) {
            case SaslExchange.Step.Challenge c -> ctx.send(Replies.saslChallenge(c.text()));
            case SaslExchange.Step.Cancelled c -> {
                cancel();
                ctx.send(Replies.AUTH_CANCELLED);
            }
            case SaslExchange.Step.Malformed m -> {
                cancel();
                ctx.send(Replies.badAuthData(m.reason()));
            }
            case SaslExchange.Step.Done done -> authenticate(done.credentials());
        }
    }

    private void authenticate(Credentials credentials) {
        AuthMechanism mechanism = sasl.mechanism();
        sasl = null;
        String identity;
        try {
            identity = ctx.handler.onAuth(ctx.session, credentials);
        } catch (SmtpRejection r) {
            ctx.metrics.increment(Counter.AUTH_FAILURES);
            ctx.authThrottle.failure(client(), ctx.clock.instant());
            ctx.log(SessionEvent.of(LogLevel.INFO, "auth_failed", "AUTH " + mechanism.wireName() + " failed for "
                    + printable(credentials.username()) + ": " + r.reply())
                    .with("mechanism", mechanism.wireName()).with("reply", r.reply().toString()));
            if (mechanism == AuthMechanism.XOAUTH2) {
                // Google's XOAUTH2: an error challenge first; the refusal follows the client's (empty) answer.
                saslFailure = r.reply();
                ctx.send(Replies.XOAUTH2_ERROR_CHALLENGE);
            } else {
                ctx.send(r.reply());
            }
            return;
        } catch (Exception e) {
            ctx.log(LogLevel.ERROR, "hook_failed", "onAuth failed", e);
            ctx.metrics.increment(Counter.HOOK_FAILURES);
            ctx.send(Replies.AUTH_TEMPORARY_FAILURE);
            return;
        }
        String user = identity != null ? identity : credentials.username();
        ctx.session.authenticated(new Authentication(mechanism, credentials.username(), user, ctx.clock.instant()));
        ctx.metrics.increment(Counter.AUTH_SUCCESSES);
        ctx.log(SessionEvent.of(LogLevel.INFO, "auth", "AUTH " + mechanism.wireName() + " as " + printable(user))
                .with("mechanism", mechanism.wireName()));
        ctx.send(Replies.AUTH_OK);
    }

    /** The real client (after PROXY and XCLIENT), by which failures are counted. */
    private InetAddress client() {
        InetAddress real = ctx.session.remoteAddress().getAddress();
        return real != null ? real : ctx.session.socketRemoteAddress().getAddress();
    }

    /** A client-chosen name made safe for one log line. */
    private static String printable(String text) {
        String s = text.length() > 200 ? text.substring(0, 200) + "..." : text;
        return s.codePoints().noneMatch(AuthCommand::breaksLogLine) ? s
                : s.codePoints().map(c -> breaksLogLine(c) ? '?' : c)
                        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }

    /**
     * C0 and C1 controls (CR, LF, ESC, NEL, ...) and DEL, and the Unicode line and paragraph separators:
     * each can end the line or rewrite the terminal for whoever reads the log, so a client could forge
     * a line of its own (the name arrives as UTF-8, so all of them can be sent).
     */
    private static boolean breaksLogLine(int c) {
        return Character.isISOControl(c) || c == 0x2028 || c == 0x2029;
    }
}
